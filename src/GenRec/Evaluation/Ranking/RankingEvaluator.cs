using GenRec.Data;
using GenRec.Data.Splits;
using GenRec.Models.Ranking;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Evaluation.Ranking;

/// <summary>
/// Ranking evaluation on held-out next items: for each case the real next item and
/// <c>negatives</c> sampled items (uniform, outside the history, per-user seeded) are scored in one
/// pass after the history; engage AUC and log loss pool all of them, like AUC and log loss use the
/// real next items and their ratings (rated data only).
/// </summary>
internal static class RankingEvaluator
{
    public static SortedDictionary<string, double> Evaluate(HstuRanker model, SequenceDataset data, IReadOnlyList<EvalCase> cases, int negatives, int seed, Data.Features.UserFeatureTable? userFeatures = null, int batchUsers = 64)
    {
        var engageScores = new List<float>();
        var engageLabels = new List<bool>();
        var likeScores = new List<float>();
        var likeLabels = new List<bool>();
        var rated = data.Ratings is not null && model.NumTasks > RankingTasks.Like;
        var wasTraining = model.training;
        model.eval();
        for (var start = 0; start < cases.Count; start += batchUsers)
        {
            var batch = cases.Skip(start).Take(batchUsers).ToArray();
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var histories = batch.Select(c => RankingHistory.From(c.History, c.HistoryRatings, c.HistoryTimestamps, model.Config.MaxHistory)
                with { UserFeatures = c.UserFeatures ?? (c.User >= 0 ? userFeatures?.Values[c.User] : null) }).ToArray();
            var candidates = batch.Select(c => Candidates(c, data.NumItems, negatives, seed)).ToArray();
            var probabilities = Score(model, histories, candidates, batch.Select(c => c.TargetTimestamp).ToArray()); // [B, 1 + K, tasks]
            for (var row = 0; row < batch.Length; row++)
            {
                for (var c = 0; c < candidates[row].Length; c++)
                {
                    engageScores.Add(probabilities[row, c, RankingTasks.Engage]);
                    engageLabels.Add(c == 0);
                }

                if (rated)
                {
                    likeScores.Add(probabilities[row, 0, RankingTasks.Like]);
                    likeLabels.Add(TargetRating(data, batch[row]) >= model.Config.LikeThreshold);
                }
            }
        }

        if (wasTraining)
        {
            model.train();
        }

        var metrics = new SortedDictionary<string, double>
        {
            ["engage_auc"] = BinaryMetrics.Auc(engageScores, engageLabels),
            ["engage_logloss"] = BinaryMetrics.LogLoss(engageScores, engageLabels),
        };
        if (rated)
        {
            metrics["like_auc"] = BinaryMetrics.Auc(likeScores, likeLabels);
            metrics["like_logloss"] = BinaryMetrics.LogLoss(likeScores, likeLabels);
            metrics["like_rate"] = likeLabels.Count(l => l) / (double)likeLabels.Count;
        }

        return metrics;
    }

    /// <summary>The real next item first, then sampled items outside the history.</summary>
    public static int[] Candidates(EvalCase c, int numItems, int negatives, int seed)
    {
        var rng = new Random(unchecked((seed * 1_000_003) + (c.User * 7_919) + c.History.Length)); // HashCode.Combine differs per process
        var seen = c.History.ToHashSet();
        seen.Add(c.Target);
        var result = new List<int>(negatives + 1) { c.Target };
        var available = numItems - seen.Count;
        while (result.Count < Math.Min(negatives, available) + 1)
        {
            var item = 1 + rng.Next(numItems);
            if (seen.Add(item))
            {
                result.Add(item);
            }
        }

        return result.ToArray();
    }

    private static float TargetRating(SequenceDataset data, EvalCase c)
    {
        var sequence = data.Sequences[c.User];
        return sequence.Length > c.History.Length && sequence[c.History.Length] == c.Target
            ? data.Ratings![c.User][c.History.Length]
            : throw new InvalidOperationException($"case of user {c.User} does not follow the dataset's sequence; cannot find the target's rating");
    }

    // Several users at once: B histories (padded), each with its own candidates after its whole history.
    private static float[,,] Score(HstuRanker model, RankingHistory[] histories, int[][] candidates, long[] requestTimes)
    {
        var b = histories.Length;
        var m = candidates.Max(c => c.Length);
        var input = RankingInput.AfterHistories(histories, candidates, requestTimes, timed: model.Config.TimeBias && histories.All(h => h.Times is not null), userFeatures: model.UserFeatureCount);
        var (_, logits) = model.Forward(input);                                                  // [B, M, tasks]
        var flat = logits.sigmoid().cpu().contiguous().data<float>().ToArray();
        var result = new float[b, m, model.NumTasks];
        Buffer.BlockCopy(flat, 0, result, 0, flat.Length * sizeof(float));
        return result;
    }
}
