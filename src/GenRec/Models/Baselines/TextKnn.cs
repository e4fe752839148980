using GenRec.Scoring;
using GenRec.Data.Splits;
using static TorchSharp.torch;

namespace GenRec.Models.Baselines;

/// <summary>
/// Text k-nearest-neighbours, a training-free floor for models that read item text:
/// score(j | history) = cos(v_j, v_last), the cosine between item j's text vector and that of the
/// history's last item (the vectors the semantic IDs or text views are built from). The last item
/// itself is not its own neighbour: it scores -2, below every cosine, also when the evaluation keeps
/// history items in the ranking (TIGER's protocol). An empty history scores every item 0.
/// </summary>
internal sealed class TextKnn : IScorer
{
    private readonly Tensor unitVectors; // [N + 1, D], rows L2-normalised (a zero row stays zero)

    /// <param name="vectors">Row-major [numItems + 1, dim] item vectors (row = dense item id; row 0 padding).</param>
    public TextKnn(float[] vectors, int dim, int numItems)
    {
        if (vectors.Length != (numItems + 1) * dim)
        {
            throw new ArgumentException($"text-knn: expected {numItems + 1} x {dim} item vectors (row 0 padding), got {vectors.Length} values");
        }

        NumItems = numItems;
        var raw = tensor(vectors).view(numItems + 1, dim);
        unitVectors = (raw / raw.norm(1, keepdim: true).clamp_min(1e-12)).DetachFromDisposeScope();
    }

    public int NumItems { get; }

    public void Score(IReadOnlyList<EvalCase> batch, Span<float> scores)
    {
        using var scope = NewDisposeScope();
        var last = tensor(batch.Select(c => (long)(c.History.Length == 0 ? 0 : c.History[^1])).ToArray()); // [B]
        var query = unitVectors.index_select(0, last);                                                         // [B, D]
        var cosine = query.matmul(unitVectors.t()).contiguous();                                             // [B, N + 1]
        cosine.data<float>().CopyTo(scores[..(batch.Count * (NumItems + 1))]);
        for (var b = 0; b < batch.Count; b++)
        {
            if (batch[b].History.Length > 0)
            {
                scores[(b * (NumItems + 1)) + batch[b].History[^1]] = -2;
            }
        }
    }
}
