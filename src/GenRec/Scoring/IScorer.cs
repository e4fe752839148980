using GenRec.Data.Splits;

namespace GenRec.Scoring;

/// <summary>Anything that scores every item for a batch of histories: baselines and trained models alike.</summary>
internal interface IScorer
{
    int NumItems { get; }

    /// <summary>
    /// Writes, for each case b, a score for every item id into
    /// <c>scores[b * (NumItems + 1) + item]</c>; higher is better. Entry 0 (padding) is ignored.
    /// </summary>
    void Score(IReadOnlyList<EvalCase> batch, Span<float> scores);
}
