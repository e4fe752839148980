using GenRec.Data.Splits;

namespace GenRec.Evaluation.LongTail;

/// <summary>
/// Metrics of one evaluation broken down by group: <c>overall</c>, <c>tail_item</c> and <c>head_item</c>
/// (by the target item), <c>tail_user</c> and <c>head_user</c>, each with its case count.
/// </summary>
internal static class LongTailReport
{
    public static readonly string[] GroupNames = ["overall", "tail_item", "head_item", "tail_user", "head_user"];

    public static SortedDictionary<string, SortedDictionary<string, double>> Compute(EvalResult result, IReadOnlyList<EvalCase> cases, LongTailGroups groups, IReadOnlyList<int>? ks = null)
    {
        if (result.Ranks.Length != cases.Count)
        {
            throw new ArgumentException($"{result.Ranks.Length} ranks for {cases.Count} cases");
        }

        var accumulators = GroupNames.ToDictionary(g => g, _ => new MetricAccumulator(ks));
        for (var i = 0; i < cases.Count; i++)
        {
            var rank = result.Ranks[i];
            accumulators["overall"].Add(rank);
            accumulators[groups.HeadItems[cases[i].Target] ? "head_item" : "tail_item"].Add(rank);
            accumulators[groups.HeadUsers[cases[i].User] ? "head_user" : "tail_user"].Add(rank);
        }

        var report = new SortedDictionary<string, SortedDictionary<string, double>>(StringComparer.Ordinal);
        foreach (var (name, acc) in accumulators)
        {
            var metrics = acc.Result();
            metrics["count"] = acc.Count;
            report[name] = metrics;
        }

        return report;
    }
}
