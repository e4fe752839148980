using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Models.Ranking;

/// <summary>
/// Scores many candidates after one shared history (the paper's M-FALCON): candidates go after the
/// history in micro-batches of <c>microBatch</c>, each pass reading the history once; the attention
/// pattern keeps candidates from seeing each other, so a candidate's score does not depend on the
/// others in its pass. <c>microBatch = 1</c> is one-by-one scoring.
/// </summary>
internal static class CandidateScorer
{
    /// <summary>Task probabilities [M, tasks] (row-major) for the candidates, in their order.</summary>
    public static float[] Score(HstuRanker model, RankingHistory history, int[] candidates, long requestTime, int microBatch = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(microBatch, 1);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var wasTraining = model.training;
        model.eval();
        var result = new float[candidates.Length * model.NumTasks];
        for (var start = 0; start < candidates.Length; start += microBatch)
        {
            using var pass = NewDisposeScope();
            var chunk = candidates[start..Math.Min(candidates.Length, start + microBatch)];
            var m = chunk.Length;
            var input = RankingInput.AfterHistories([history], [chunk], [requestTime], timed: history.Times is not null, userFeatures: model.UserFeatureCount);
            var (_, logits) = model.Forward(input);                                         // [1, m, tasks]
            logits.sigmoid().cpu().contiguous().data<float>().CopyTo(result.AsSpan(start * model.NumTasks, m * model.NumTasks));
        }

        if (wasTraining)
        {
            model.train();
        }

        return result;
    }
}
