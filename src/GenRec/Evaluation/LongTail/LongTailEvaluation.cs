using GenRec.Scoring;
using GenRec.Data.Splits;

namespace GenRec.Evaluation.LongTail;

/// <summary>
/// The protocols of the LLM-ESR comparison, each broken down by head/tail items and users: full ranking
/// (history filtered), <see cref="SampledNegatives"/> uniformly sampled negatives (the paper's protocol),
/// and as many popularity-sampled negatives (harder: popular items are likelier negatives).
/// </summary>
internal sealed record LongTailEvaluation(
    string Groups,
    SortedDictionary<string, SortedDictionary<string, double>> FullRanking,
    SortedDictionary<string, SortedDictionary<string, double>> Sampled,
    int SampledNegatives,
    SortedDictionary<string, SortedDictionary<string, double>>? PopularitySampled = null)
{
    /// <param name="popularity">Weights of the popularity-sampled protocol by item id (e.g. <see cref="LongTailGroups.Popularity"/> of the training sequences); null skips it.</param>
    public static LongTailEvaluation Run(IScorer scorer, IReadOnlyList<EvalCase> cases, LongTailGroups groups, int sampledNegatives = 100, int seed = 42, int batchSize = 256, IReadOnlyList<double>? popularity = null) =>
        Run(scorer, cases, [groups], sampledNegatives, seed, batchSize, popularity)[0];

    /// <summary>One evaluation per grouping (the items are scored once; each grouping reads the same ranks).</summary>
    public static LongTailEvaluation[] Run(IScorer scorer, IReadOnlyList<EvalCase> cases, IReadOnlyList<LongTailGroups> groupings, int sampledNegatives = 100, int seed = 42, int batchSize = 256, IReadOnlyList<double>? popularity = null)
    {
        int[] ks = [1, 5, 10, 20];
        var full = Evaluator.Evaluate(scorer, cases, new EvalOptions { BatchSize = batchSize, Ks = ks });
        var sampled = Evaluator.Evaluate(scorer, cases, new EvalOptions { BatchSize = batchSize, Ks = ks, SampledNegatives = sampledNegatives, Seed = seed });
        var byPopularity = popularity is null ? null : Evaluator.Evaluate(scorer, cases, new EvalOptions { BatchSize = batchSize, Ks = ks, SampledNegatives = sampledNegatives, Seed = seed, NegativeWeights = popularity });
        return [.. groupings.Select(groups => new LongTailEvaluation(
            groups.Rule,
            LongTailReport.Compute(full, cases, groups, ks),
            LongTailReport.Compute(sampled, cases, groups, ks),
            sampledNegatives,
            byPopularity is null ? null : LongTailReport.Compute(byPopularity, cases, groups, ks)))];
    }
}
