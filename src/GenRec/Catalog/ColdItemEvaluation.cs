using GenRec.Configuration;
using GenRec.Data;
using GenRec.Data.Splits;
using GenRec.Evaluation;
using GenRec.Models;
using GenRec.Models.Baselines;
using GenRec.Scoring;
using static TorchSharp.torch;

namespace GenRec.Catalog;

/// <summary>
/// The cold-item test (TIGER's cold-start setting, <see cref="ColdItems"/>) of a model trained without the cold items:
/// the cold items enter through the catalogue path only. Training left them out of its catalogue (no loss scored or
/// sampled them, validation did not rank them: <see cref="Training.Losses.TrainingVocabulary"/>), so their ID rows are
/// still the initial ones; they are replaced by a content mapping
/// (<see cref="IContentMapping"/>) fitted on the warm items the model trained on, from the same text vectors; the model is
/// then tested on the users whose next item is cold and on the rest, separately, beside the training-free floors on the
/// same cases: text kNN on the same vectors (the cold floor), most-popular and a random ranking.
/// </summary>
internal static class ColdItemEvaluation
{
    /// <summary>One scorer's figures on the cold-target and the warm-target test cases.</summary>
    public sealed record Arm(string Name, EvalResult Cold, EvalResult Warm);

    /// <summary>What the test found.</summary>
    /// <param name="ColdItems">Items removed from training.</param>
    /// <param name="ColdCases">Test users whose target is cold.</param>
    /// <param name="WarmCases">The other test users.</param>
    /// <param name="WarmItems">Warm items the mappings were fitted on (those in the training sequences).</param>
    /// <param name="Mappings">Each mapping kind on warm items held out from its fit.</param>
    /// <param name="Arms">The model with untrained cold rows, with each mapping's rows, and the floors.</param>
    public sealed record Report(int ColdItems, int ColdCases, int WarmCases, int WarmItems, IReadOnlyDictionary<string, MappingFigures> Mappings, IReadOnlyList<Arm> Arms);

    /// <summary>
    /// The same model trained on the closed catalogue (every item), tested on the cold protocol's warm-target cases of
    /// <paramref name="coldConfig"/> (the same users, histories and targets): what training without the cold items costs
    /// the users it was not about.
    /// </summary>
    public static EvalResult ClosedOnWarmTargets(SequentialRecommender closedModel, SequenceDataset data, RunConfig coldConfig)
    {
        var (split, cold) = ColdItems.Split(data, coldConfig.Data.Split, coldConfig.Data.ColdItemShare, coldConfig.Seed);
        closedModel.eval();
        return Evaluator.Evaluate(new ModelScorer(closedModel), Cases(split, cold).Warm, coldConfig.Train.EvalOptions(coldConfig.Model.MaxSequenceLength));
    }

    private static (EvalCase[] Cold, EvalCase[] Warm) Cases(SequenceSplit split, bool[] cold) =>
        (split.Test.Where(c => cold[c.Target]).ToArray(), split.Test.Where(c => !cold[c.Target]).ToArray());

    /// <summary>
    /// Tests <paramref name="model"/> (trained on <paramref name="config"/>'s cold split of <paramref name="data"/>) with
    /// item text vectors [numItems + 1, T]. The model's ID rows are restored before this returns.
    /// </summary>
    public static Report Run(SequentialRecommender model, SequenceDataset data, RunConfig config, (float[] Values, int Dim) text, string modelName, Action<string>? log = null)
    {
        if (config.Data.ColdItemShare <= 0)
        {
            throw new ArgumentException("the cold-item test needs a model trained with data.cold_item_share above 0");
        }

        var numItems = data.NumItems;
        var (split, cold) = ColdItems.Split(data, config.Data.Split, config.Data.ColdItemShare, config.Seed);
        var options = config.Train.EvalOptions(config.Model.MaxSequenceLength);
        var (coldCases, warmCases) = Cases(split, cold);
        var seen = new bool[numItems + 1];
        foreach (var item in split.Train.SelectMany(s => s))
        {
            seen[item] = true;
        }

        long[] warmIds = [.. Enumerable.Range(1, numItems).Where(i => seen[i] && !cold[i]).Select(i => (long)i)];
        long[] coldIds = [.. Enumerable.Range(1, numItems).Where(i => cold[i]).Select(i => (long)i)];
        var rows = model.IdEmbeddings;                                                     // [N + 1, D], the model's own storage
        using var original = rows.detach().clone();
        using var content = tensor(text.Values, dtype: float32).reshape(numItems + 1, text.Dim).to(rows.device); // [N + 1, T]
        using var warm = tensor(warmIds, dtype: int64, device: rows.device);
        using var coldRows = tensor(coldIds, dtype: int64, device: rows.device);
        using var warmContent = content.index_select(0, warm);                             // [W, T]
        using var warmEmbeddings = original.index_select(0, warm);                         // [W, D]
        using var coldContent = content.index_select(0, coldRows);                         // [C, T]

        var arms = new List<Arm>();
        Arm Test(string name, IScorer scorer)
        {
            var arm = new Arm(name, Evaluator.Evaluate(scorer, coldCases, options), Evaluator.Evaluate(scorer, warmCases, options));
            log?.Invoke($"{name}: cold targets hr@10 {arm.Cold["hr@10"]:F4} ndcg@10 {arm.Cold["ndcg@10"]:F4}; warm targets hr@10 {arm.Warm["hr@10"]:F4} ndcg@10 {arm.Warm["ndcg@10"]:F4}");
            return arm;
        }

        model.eval();
        var scorer = new ModelScorer(model);
        arms.Add(Test($"{modelName}-untrained-rows", scorer));
        var mappings = ContentMappings.Compare(warmContent, warmEmbeddings, warmIds, original, config.Seed);
        try
        {
            foreach (var kind in Enum.GetValues<ContentMappingKind>())
            {
                using var mapping = ContentMappings.Fit(kind, warmContent, warmEmbeddings, config.Seed);
                using (no_grad())
                {
                    using var mapped = mapping.Map(coldContent);                           // [C, D]
                    rows.index_copy_(0, coldRows, mapped);
                }

                arms.Add(Test($"{modelName}-{mapping.Name}", scorer));
            }
        }
        finally
        {
            using (no_grad())
            {
                rows.copy_(original);
            }
        }

        arms.Add(Test(BaselineFactory.TextKnnName, BaselineFactory.Create(BaselineFactory.TextKnnName, split.Train, numItems, text)));
        arms.Add(Test("most-popular", BaselineFactory.Create("most-popular", split.Train, numItems)));
        arms.Add(Test("random", new RandomRanking(numItems, config.Seed)));
        return new Report(coldIds.Length, coldCases.Length, warmCases.Length, warmIds.Length, mappings, arms);
    }
}
