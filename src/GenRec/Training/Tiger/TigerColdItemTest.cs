using GenRec.Data;
using GenRec.Data.Splits;
using GenRec.Evaluation;
using GenRec.Models.Baselines;
using GenRec.Models.Tiger;
using GenRec.Scoring;

namespace GenRec.Training.Tiger;

/// <summary>
/// TIGER's cold-start test (Rajput et al., 2023, section 4.3) of a model trained without the cold items
/// (<see cref="ColdItems"/>): the cold items have semantic IDs from the frozen RQ-VAE (<c>genrec semantic-ids
/// --cold-item-share</c>) and were never a target or an input. The test users whose next item is cold and the rest are
/// scored apart, by three ways of decoding and beside the training-free floors on the same cases (no history filtering,
/// as TIGER's evaluation):
/// <list type="bullet">
/// <item>closed trie: constrained beams over the trained items only (a cold item can never be named: the floor of doing nothing);</item>
/// <item>extended trie: constrained beams over every item, the cold ones' IDs added to the trie;</item>
/// <item>the paper's cold-start rule: beams over the trained items, and after each generated ID the cold items with the
/// same RQ-VAE codes (the ID without its collision code), at most <c>floor(epsilon K)</c> of them in the top K = 10
/// (<see cref="ColdStartRule"/>).</item>
/// </list>
/// </summary>
internal static class TigerColdItemTest
{
    /// <summary>The top-K length the rule fills (its epsilon is a share of it), as the paper's Recall@10.</summary>
    public const int ListLength = 10;

    /// <summary>The shares of unseen items the rule is run with (the paper plots a range; 0.1 is its headline).</summary>
    public static readonly double[] Epsilons = [0.1, 0.2, 0.3];

    /// <summary>One way of ranking, on the cold-target and the warm-target test cases (hr@5/10, ndcg@5/10).</summary>
    public sealed record Arm(string Name, SortedDictionary<string, double> Cold, SortedDictionary<string, double> Warm);

    /// <param name="ColdItems">Items removed from training.</param>
    /// <param name="ColdItemsSharingCodes">Cold items whose RQ-VAE codes some trained item has: the only ones the rule can retrieve.</param>
    /// <param name="ColdCases">Test users whose target is cold.</param>
    /// <param name="WarmCases">The other test users.</param>
    /// <param name="Arms">The three decodings (the rule once per epsilon) and the floors.</param>
    public sealed record Report(int ColdItems, int ColdItemsSharingCodes, int ColdCases, int WarmCases, IReadOnlyList<Arm> Arms);

    /// <param name="split">The cold split the model was trained on.</param>
    /// <param name="cold">[N + 1], true for a cold item.</param>
    /// <param name="ids">Semantic IDs by dense item, the cold items' included.</param>
    /// <param name="extended">Beams over every item, per test case of <paramref name="split"/>.</param>
    /// <param name="closed">Beams over the trained items, per test case.</param>
    /// <param name="text">Item text vectors [N + 1, T] for the text-kNN floor.</param>
    public static Report Run(SequenceSplit split, bool[] cold, int[][] ids, IReadOnlyList<List<GeneratedId>> extended, IReadOnlyList<List<GeneratedId>> closed, (float[] Values, int Dim) text, int seed, Action<string>? log = null)
    {
        var numItems = cold.Length - 1;
        IReadOnlyList<EvalCase> cases = split.Test;
        int[] coldCases = [.. Enumerable.Range(0, cases.Count).Where(c => cold[cases[c].Target])];
        int[] warmCases = [.. Enumerable.Range(0, cases.Count).Where(c => !cold[cases[c].Target])];
        var levels = ids[1].Length - 1;                                                    // the RQ-VAE codes, without the collision code
        Dictionary<string, int[]> ColdByCodes(int length) => Enumerable.Range(1, numItems).Where(i => cold[i])
            .GroupBy(i => CodesKey(ids[i], length)).ToDictionary(g => g.Key, g => g.OrderBy(i => ids[i][^1]).ToArray());
        var coldByCodes = ColdByCodes(levels);
        var trainedCodes = Enumerable.Range(1, numItems).Where(i => !cold[i]).Select(i => CodesKey(ids[i], levels)).ToHashSet();
        var arms = new List<Arm>();
        void Keep(Arm arm)
        {
            log?.Invoke($"{arm.Name}: cold targets hr@10 {arm.Cold["hr@10"]:F4} ndcg@10 {arm.Cold["ndcg@10"]:F4}; warm targets hr@10 {arm.Warm["hr@10"]:F4} ndcg@10 {arm.Warm["ndcg@10"]:F4}");
            arms.Add(arm);
        }

        void Add(string name, Func<int, int[]> ranking)
        {
            var ranked = Enumerable.Range(0, cases.Count).Select(ranking).ToArray();
            Keep(new Arm(name, Metrics(ranked, cases, coldCases), Metrics(ranked, cases, warmCases)));
        }

        Add("tiger-closed-trie", c => [.. closed[c].Select(g => g.Item)]);
        Add("tiger-extended-trie", c => [.. extended[c].Select(g => g.Item)]);
        foreach (var epsilon in Epsilons)
        {
            Add($"tiger-cold-start-rule-eps{epsilon:0.0#}", c => ColdStartRule(closed[c], coldByCodes, levels, epsilon, ListLength));
        }

        // A looser variant of ours, not the paper's: a cold item joins after a generated ID that shares all but its last RQ-VAE code
        // (with 256 codes a level, few new items share all their codes with a trained item).
        if (levels > 1)
        {
            var coldByShorter = ColdByCodes(levels - 1);
            foreach (var epsilon in Epsilons)
            {
                Add($"tiger-cold-start-rule-{levels - 1}codes-eps{epsilon:0.0#}", c => ColdStartRule(closed[c], coldByShorter, levels - 1, epsilon, ListLength));
            }
        }

        var noFilter = new EvalOptions { FilterHistory = false };
        EvalCase[] Pick(int[] at) => [.. at.Select(c => cases[c])];
        foreach (var (name, scorer) in new[]
        {
            (BaselineFactory.TextKnnName, BaselineFactory.Create(BaselineFactory.TextKnnName, split.Train, numItems, text)),
            ("most-popular", BaselineFactory.Create("most-popular", split.Train, numItems)),
            ("random", (IScorer)new RandomRanking(numItems, seed)),
        })
        {
            Keep(new Arm(name, Headline(Evaluator.Evaluate(scorer, Pick(coldCases), noFilter).Metrics), Headline(Evaluator.Evaluate(scorer, Pick(warmCases), noFilter).Metrics)));
        }

        var sharing = coldByCodes.Where(g => trainedCodes.Contains(g.Key)).Sum(g => g.Value.Length);
        return new Report(coldByCodes.Sum(g => g.Value.Length), sharing, coldCases.Length, warmCases.Length, arms);
    }

    /// <summary>
    /// TIGER's cold-start rule: walk the beams (generated IDs of trained items, best first); each adds its item, then the
    /// cold items whose RQ-VAE codes equal its first <paramref name="prefixLength"/> codes (by collision code), while fewer
    /// than <c>floor(epsilon k)</c> cold items are listed; stop at <paramref name="k"/> items. The paper leaves the order
    /// within a beam open; here the trained item comes first.
    /// </summary>
    public static int[] ColdStartRule(IReadOnlyList<GeneratedId> beams, IReadOnlyDictionary<string, int[]> coldByCodes, int prefixLength, double epsilon, int k)
    {
        var quota = (int)Math.Floor((epsilon * k) + 1e-9);
        var listed = new List<int>(k);
        var unseen = 0;
        foreach (var beam in beams)
        {
            if (listed.Count >= k)
            {
                break;
            }

            if (beam.Item > 0 && !listed.Contains(beam.Item))
            {
                listed.Add(beam.Item);
            }

            if (unseen < quota && coldByCodes.TryGetValue(CodesKey(beam.Codes, prefixLength), out var newItems))
            {
                foreach (var item in newItems.Where(i => !listed.Contains(i)).Take(Math.Min(quota - unseen, k - listed.Count)))
                {
                    listed.Add(item);
                    unseen++;
                }
            }
        }

        return [.. listed.Take(k)];
    }

    private static string CodesKey(IReadOnlyList<int> codes, int length) => string.Join(',', codes.Take(length));

    private static readonly string[] HeadlineKeys = ["hr@5", "hr@10", "ndcg@5", "ndcg@10"];

    private static SortedDictionary<string, double> Metrics(int[][] ranked, IReadOnlyList<EvalCase> cases, int[] at) =>
        TigerTrainer.Score([.. at.Select(c => ranked[c])], [.. at.Select(c => cases[c])], HeadlineKeys);

    private static SortedDictionary<string, double> Headline(SortedDictionary<string, double> metrics) =>
        new(HeadlineKeys.ToDictionary(k => k, k => metrics[k]));
}
