using Cloud.Unum.USearch;

namespace GenRec.Serving.Indexing;

/// <summary>
/// HNSW from USearch (Unum, Apache-2.0; the <c>Cloud.Unum.USearch</c> package, native <c>libusearch_c</c>): the same
/// graph as <see cref="HnswIndex"/> (M 16, efConstruction 200, efSearch 64 by default) over inner product, with items
/// added and removed in place, so a catalogue change extends the served index instead of rebuilding it. Keys are item
/// ids. Exclusions (the user's history, withdrawn items) are met by asking for k plus their number and dropping them;
/// scores are the exact inner products of the stored f32 rows, as every index here returns.
/// </summary>
internal sealed class USearchItemIndex : IItemIndex, IDisposable
{
    private readonly USearchIndex index;
    private readonly int m;
    private readonly int efConstruction;
    private readonly Lock gate = new();
    private ItemVectors items;

    public USearchItemIndex(ItemVectors items, int m = 16, int efConstruction = 200, int efSearch = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(m, 2);
        this.items = items;
        this.m = m;
        this.efConstruction = efConstruction;
        EfSearch = efSearch;
        index = new USearchIndex(MetricKind.Ip, ScalarKind.Float32, (ulong)items.Dim, (ulong)m, (ulong)efConstruction, (ulong)efSearch);
        AddRows(items, 1);
    }

    public string Name => $"usearch-hnsw(M={m}, efConstruction={efConstruction}, efSearch={EfSearch})";

    /// <summary>Beam width at query time (USearch's expansion_search; fixed when the index is made).</summary>
    public int EfSearch { get; }

    /// <summary>Items in the graph.</summary>
    public int Count => (int)index.Size();

    public IReadOnlyList<ScoredItem> Search(ReadOnlySpan<float> query, int k, IReadOnlySet<int>? exclude = null)
    {
        var rows = items;                                                                  // one version of the rows per search
        var wanted = (int)Math.Min(Count, k + (exclude?.Count ?? 0));
        if (wanted <= 0)
        {
            return [];
        }

        var found = index.Search(query.ToArray(), wanted, out ulong[] keys, out float[] _);
        var result = new List<ScoredItem>(k);
        for (var i = 0; i < found; i++)
        {
            var item = (int)keys[i];
            if (exclude is null || !exclude.Contains(item))
            {
                result.Add(new ScoredItem(item, rows.Dot(query, item)));
            }
        }

        result.Sort((a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : a.Item.CompareTo(b.Item));
        return result.Count > k ? result.GetRange(0, k) : result;
    }

    /// <summary>
    /// Adds items in place: <paramref name="grown"/> holds every row (the old ones unchanged), and the ids from the
    /// current count + 1 onwards enter the graph.
    /// </summary>
    public void Extend(ItemVectors grown)
    {
        lock (gate)
        {
            if (grown.Dim != items.Dim || grown.Count < items.Count)
            {
                throw new ArgumentException($"the grown rows must keep the {items.Count - 1} items of width {items.Dim}", nameof(grown));
            }

            AddRows(grown, items.Count);
            items = grown;
        }
    }

    /// <summary>Takes items out of the graph in place (a withdrawal that is not coming back).</summary>
    public void Remove(IEnumerable<int> removed)
    {
        lock (gate)
        {
            foreach (var item in removed)
            {
                index.Remove((ulong)item);
            }
        }
    }

    public void Dispose() => index.Dispose();

    // Rows from..Count - 1 into the graph, in one call (the package reserves capacity once per call).
    private void AddRows(ItemVectors rows, int from)
    {
        if (from >= rows.Count)
        {
            return;
        }

        ulong[] keys = [.. Enumerable.Range(from, rows.Count - from).Select(i => (ulong)i)];
        float[][] vectors = [.. Enumerable.Range(from, rows.Count - from).Select(i => rows.Row(i).ToArray())];
        index.Add(keys, vectors);
    }
}
