using GenRec.Scoring;
using GenRec.Data.Splits;
using GenRec.Evaluation;

namespace GenRec.Tests.Evaluation;

/// <summary>
/// Scores item j by <c>-|j - peak(case)|</c>, so each case's ranking depends on the case alone; every item alike where
/// the peak is null. Records the history lengths of each batch it scored.
/// </summary>
internal sealed class PeakScorer(int numItems, Func<EvalCase, int?> peak) : IScorer
{
    public List<int[]> Batches { get; } = [];

    public int NumItems => numItems;

    public void Score(IReadOnlyList<EvalCase> batch, Span<float> scores)
    {
        Batches.Add([.. batch.Select(c => c.History.Length)]);
        for (var b = 0; b < batch.Count; b++)
        {
            var top = peak(batch[b]);
            for (var j = 0; j <= numItems; j++)
            {
                scores[(b * (numItems + 1)) + j] = top is { } p ? -Math.Abs(j - p) : 0;
            }
        }
    }
}
