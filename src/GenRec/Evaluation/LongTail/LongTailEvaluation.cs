using GenRec.Data.Splits;

namespace GenRec.Evaluation.LongTail;

/// <summary>Both protocols of the LLM-ESR comparison, each broken down by head/tail items and users.</summary>
public sealed record LongTailEvaluation(
    string Groups,
    SortedDictionary<string, SortedDictionary<string, double>> FullRanking,
    SortedDictionary<string, SortedDictionary<string, double>> Sampled,
    int SampledNegatives)
{
    /// <summary>Full ranking (history filtered) and ranking against <paramref name="sampledNegatives"/> sampled items (the paper's protocol, 100).</summary>
    public static LongTailEvaluation Run(IScorer scorer, IReadOnlyList<EvalCase> cases, LongTailGroups groups, int sampledNegatives = 100, int seed = 42, int batchSize = 256)
    {
        int[] ks = [1, 5, 10, 20];
        var full = Evaluator.Evaluate(scorer, cases, new EvalOptions { BatchSize = batchSize, Ks = ks });
        var sampled = Evaluator.Evaluate(scorer, cases, new EvalOptions { BatchSize = batchSize, Ks = ks, SampledNegatives = sampledNegatives, Seed = seed });
        return new LongTailEvaluation(groups.Rule, LongTailReport.Compute(full, cases, groups, ks), LongTailReport.Compute(sampled, cases, groups, ks), sampledNegatives);
    }
}
