using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Serving.Indexing;

/// <summary>
/// Exact maximum-inner-product search: one matrix product of the queries against every item,
/// excluded items and padding set to -inf, then top-k. Batched: many users per call.
/// </summary>
internal sealed class ExactItemIndex : IItemIndex
{
    private readonly ItemVectors items;

    public ExactItemIndex(ItemVectors items) => this.items = items;

    public string Name => "exact";

    public IReadOnlyList<ScoredItem> Search(ReadOnlySpan<float> query, int k, IReadOnlySet<int>? exclude = null) =>
        SearchBatch(query.ToArray(), k, [exclude])[0];

    /// <summary>Top-k for each of the Q queries (row-major [Q, D]); <paramref name="exclude"/> has one set (or null) per query.</summary>
    public IReadOnlyList<ScoredItem>[] SearchBatch(float[] queries, int k, IReadOnlyList<IReadOnlySet<int>?> exclude)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var q = queries.Length / items.Dim;
        if (q * items.Dim != queries.Length || exclude.Count != q)
        {
            throw new ArgumentException($"{queries.Length} query values are not {exclude.Count} rows of {items.Dim}");
        }

        using var scope = NewDisposeScope();
        var itemMatrix = from_array(items.Values).view(items.Count, items.Dim);         // [I + 1, D]
        var scores = from_array(queries).view(q, items.Dim).matmul(itemMatrix.t());      // [Q, I + 1]
        var masked = scores.contiguous().data<float>().ToArray();
        var rowLength = items.Count;
        for (var row = 0; row < q; row++)
        {
            masked[row * rowLength] = float.NegativeInfinity;
            foreach (var item in exclude[row] ?? (IEnumerable<int>)[])
            {
                if (item > 0 && item < rowLength)
                {
                    masked[(row * rowLength) + item] = float.NegativeInfinity;
                }
            }
        }

        var available = rowLength - 1;
        var take = Math.Min(k, available);
        var (values, indexes) = from_array(masked).view(q, rowLength).topk(take, dim: 1);
        var topScores = values.contiguous().data<float>().ToArray();
        var topItems = indexes.contiguous().data<long>().ToArray();
        var results = new IReadOnlyList<ScoredItem>[q];
        for (var row = 0; row < q; row++)
        {
            results[row] = Enumerable.Range(row * take, take)
                .Where(i => !float.IsNegativeInfinity(topScores[i]))
                .Select(i => new ScoredItem((int)topItems[i], topScores[i]))
                .OrderByDescending(s => s.Score).ThenBy(s => s.Item)
                .ToArray();
        }

        return results;
    }
}
