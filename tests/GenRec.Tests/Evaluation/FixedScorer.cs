using GenRec.Scoring;
using GenRec.Data.Splits;
using GenRec.Evaluation;

namespace GenRec.Tests.Evaluation;

/// <summary>A scorer that gives every case the same scores (by item id, entry 0 for padding).</summary>
internal sealed class FixedScorer(float[] scores) : IScorer
{
    public int NumItems => scores.Length - 1;

    public void Score(IReadOnlyList<EvalCase> batch, Span<float> output)
    {
        for (var b = 0; b < batch.Count; b++)
        {
            scores.CopyTo(output.Slice(b * scores.Length));
        }
    }
}
