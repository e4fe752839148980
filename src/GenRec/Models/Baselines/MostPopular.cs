using GenRec.Scoring;
using GenRec.Data.Splits;

namespace GenRec.Models.Baselines;

/// <summary>Scores every item by how often it occurs in the training sequences, the same for every user.</summary>
internal sealed class MostPopular : IScorer
{
    private readonly float[] _counts;

    public MostPopular(IReadOnlyList<int[]> trainSequences, int numItems)
    {
        NumItems = numItems;
        _counts = new float[numItems + 1];
        foreach (var seq in trainSequences)
        {
            foreach (var item in seq)
            {
                _counts[item]++;
            }
        }
    }

    public int NumItems { get; }

    public ReadOnlySpan<float> Counts => _counts;

    public void Score(IReadOnlyList<EvalCase> batch, Span<float> scores)
    {
        for (var b = 0; b < batch.Count; b++)
        {
            _counts.CopyTo(scores.Slice(b * (NumItems + 1), NumItems + 1));
        }
    }
}
