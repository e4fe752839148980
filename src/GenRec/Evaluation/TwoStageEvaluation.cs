using System.Diagnostics;
using GenRec.Data.Splits;
using GenRec.Serving;

namespace GenRec.Evaluation;

/// <summary>
/// The served two-stage pipeline offline, case by case: retrieval's top N for the history (the served engine's
/// <c>Recommend</c> for the case's user, history items filtered: an index model's state from the history, a generative
/// model's beams from the history and the user's token), then the ranker's task
/// probabilities of those N, ordered as the server orders them (<see cref="TwoStageOrder"/>). For each case the target's
/// place in retrieval's order and in the two-stage order (-1: not among the N, a miss for both), and each stage's time.
/// </summary>
internal static class TwoStageEvaluation
{
    /// <summary>One test case: the target's 0-based place in each order (-1: not retrieved) and each stage's seconds.</summary>
    public sealed record Case(int RetrievalRank, int TwoStageRank, double RetrieveSeconds, double RankSeconds);

    /// <param name="ranker">Null: retrieval alone (each case's two-stage place is its retrieval place, no ranking time).</param>
    public static Case[] Run(IRetriever retrieval, RankingEngine? ranker, IReadOnlyList<EvalCase> cases, int retrieve, IReadOnlyDictionary<string, float> weights, Action<int>? progress = null)
    {
        var results = new Case[cases.Count];
        for (var c = 0; c < cases.Count; c++)
        {
            var test = cases[c];
            var clock = Stopwatch.StartNew();
            var candidates = retrieval.Recommend(test.History, retrieve, filterHistory: true, user: test.User).Select(r => r.Item).ToArray();
            var retrieveSeconds = clock.Elapsed.TotalSeconds;
            var place = Array.IndexOf(candidates, test.Target);
            results[c] = ranker is null ? new Case(place, place, retrieveSeconds, 0) : Ranked(ranker, test, candidates, place, weights, retrieveSeconds);
            if ((c + 1) % 500 == 0)
            {
                progress?.Invoke(c + 1);
            }
        }

        return results;
    }

    // The case with the ranker's order of the candidates (the target at `place` among them, -1: not retrieved).
    private static Case Ranked(RankingEngine ranker, EvalCase test, int[] candidates, int place, IReadOnlyDictionary<string, float> weights, double retrieveSeconds)
    {
        var clock = Stopwatch.StartNew();
        var probabilities = ranker.Score(test.History, ranker.NeedsRatings ? test.HistoryRatings : null, ranker.NeedsTimestamps ? test.HistoryTimestamps : null, candidates);
        var order = TwoStageOrder.Order(probabilities, candidates.Length, ranker.Tasks, weights);
        var rankSeconds = clock.Elapsed.TotalSeconds;
        return new Case(place, place < 0 ? -1 : Array.FindIndex(order, o => o.Index == place), retrieveSeconds, rankSeconds);
    }

    /// <summary>HR@k of 0-based places (-1: a miss).</summary>
    public static double[] Hits(IEnumerable<int> places, int k) => [.. places.Select(p => p >= 0 && p < k ? 1.0 : 0.0)];

    /// <summary>NDCG@k of 0-based places with one relevant item: 1 / log2(place + 2) inside the top k, else 0.</summary>
    public static double[] Ndcg(IEnumerable<int> places, int k) => [.. places.Select(p => p >= 0 && p < k ? 1.0 / Math.Log2(p + 2) : 0.0)];

    /// <summary>Mean of b - a over paired cases, and its standard error sd / sqrt(n).</summary>
    public static (double Mean, double StandardError) PairedDifference(double[] a, double[] b)
    {
        if (a.Length != b.Length || a.Length < 2)
        {
            throw new ArgumentException($"paired differences need two arms of the same cases, at least 2 (got {a.Length} and {b.Length})");
        }

        var d = a.Zip(b, (x, y) => y - x).ToArray();
        var mean = d.Average();
        var sd = Math.Sqrt(d.Sum(v => (v - mean) * (v - mean)) / (d.Length - 1));
        return (mean, sd / Math.Sqrt(d.Length));
    }
}
