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
    /// <summary>The share of a top 10 the new-item rule arm keeps for cold items (one place).</summary>
    public const double NewItemShare = 0.1;

    /// <summary>One scorer's figures on the cold-target and the warm-target test cases.</summary>
    public sealed record Arm(string Name, EvalResult Cold, EvalResult Warm);

    /// <summary>What the test found.</summary>
    /// <param name="ColdItems">Items removed from training.</param>
    /// <param name="ColdCases">Test users whose target is cold.</param>
    /// <param name="WarmCases">The other test users.</param>
    /// <param name="WarmItems">Warm items the mappings were fitted on (those in the training sequences).</param>
    /// <param name="Mappings">Each mapping kind on warm items held out from its fit.</param>
    /// <param name="Arms">The model with untrained cold rows, with each mapping's rows, and the floors.</param>
    /// <param name="Selection">Each mapping kind on the validation cases whose target is a held-out warm item (and the rest), and the kind chosen there.</param>
    public sealed record Report(int ColdItems, int ColdCases, int WarmCases, int WarmItems, IReadOnlyDictionary<string, MappingFigures> Mappings, IReadOnlyList<Arm> Arms, MappingSelection? Selection = null);

    /// <summary>
    /// The mapping chosen without the test: a seeded tenth of the warm items that are validation targets is held out, each
    /// kind is fitted on the other warm items and gives the held-out items their rows, and the validation cases are
    /// ranked (the cold items unranked, as in training): the kind with the best HR@10 on the cases whose target is a
    /// held-out item wins. The held-out items' own rows are put back after.
    /// </summary>
    /// <param name="HeldOutItems">Warm items given mapped rows (dense ids).</param>
    /// <param name="HeldOutCases">Validation cases whose target is one of them.</param>
    /// <param name="Kinds">Per kind: HR@10 on those cases and on the other validation cases.</param>
    /// <param name="Chosen">The kind with the best HR@10 on the held-out items' cases.</param>
    public sealed record MappingSelection(IReadOnlyList<long> HeldOutItems, int HeldOutCases, IReadOnlyDictionary<string, (double HeldOutHr10, double OtherHr10)> Kinds, string Chosen);

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
        var trainCounts = Evaluation.LongTail.LongTailGroups.Popularity(split.Train, numItems);
        long[] warmIds = [.. Enumerable.Range(1, numItems).Where(i => trainCounts[i] > 0 && !cold[i]).Select(i => (long)i)];
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
        Arm Test(string name, IScorer scorer, EvalOptions? with = null)
        {
            var arm = new Arm(name, Evaluator.Evaluate(scorer, coldCases, with ?? options), Evaluator.Evaluate(scorer, warmCases, with ?? options));
            log?.Invoke($"{name}: cold targets hr@10 {arm.Cold["hr@10"]:F4} ndcg@10 {arm.Cold["ndcg@10"]:F4}; warm targets hr@10 {arm.Warm["hr@10"]:F4} ndcg@10 {arm.Warm["ndcg@10"]:F4}");
            return arm;
        }

        model.eval();
        var scorer = new ModelScorer(model);
        var textFloor = BaselineFactory.Create(BaselineFactory.TextKnnName, split.Train, numItems, text);
        var selection = Select(model, split, cold, content, warmIds, options, config.Seed);
        if (selection is not null)
        {
            log?.Invoke($"mapping chosen on held-out warm items: {selection.Chosen} ({string.Join(", ", selection.Kinds.Select(k => $"{k.Key} {k.Value.HeldOutHr10:F4}/{k.Value.OtherHr10:F4}"))} validation HR@10 on {selection.HeldOutCases} held-out-item cases / the rest)");
        }

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
                if (mapping.Name == (selection?.Chosen ?? "knn"))
                {
                    // The serving rule for new items (NewItemSlots): a tenth of each top 10 kept for the best-scoring cold items.
                    arms.Add(Test($"{modelName}-{mapping.Name}-new-item-share-{NewItemShare:0.0#}", scorer, options with { NewItems = cold, NewItemShare = NewItemShare }));

                    // The same places filled in the text floor's order (the cold item nearest by text to the history's last).
                    arms.Add(Test($"{modelName}-{mapping.Name}-new-item-share-{NewItemShare:0.0#}-by-text", scorer, options with { NewItems = cold, NewItemShare = NewItemShare, NewItemRanker = textFloor }));
                }
            }
        }
        finally
        {
            using (no_grad())
            {
                rows.copy_(original);
            }
        }

        arms.Add(Test(BaselineFactory.TextKnnName, textFloor));
        arms.Add(Test("most-popular", BaselineFactory.Create("most-popular", split.Train, numItems)));
        arms.Add(Test("random", new RandomRanking(numItems, config.Seed)));
        return new Report(coldIds.Length, coldCases.Length, warmCases.Length, warmIds.Length, mappings, arms, selection);
    }

    // Null where the split has no validation cases with warm targets (a last-item split): nothing to choose on.
    private static MappingSelection? Select(SequentialRecommender model, SequenceSplit split, bool[] cold, Tensor content, long[] warmIds, EvalOptions options, int seed)
    {
        var validTargets = split.Valid.Select(c => (long)c.Target).ToHashSet();
        long[] candidates = [.. warmIds.Where(validTargets.Contains)];
        if (candidates.Length == 0)
        {
            return null;
        }

        new Random(seed).Shuffle(candidates);
        var heldOut = candidates[..Math.Max(1, candidates.Length / 10)].ToHashSet();
        long[] fitIds = [.. warmIds.Where(i => !heldOut.Contains(i))];
        long[] heldIds = [.. heldOut.Order()];
        var heldCases = split.Valid.Where(c => heldOut.Contains(c.Target)).ToArray();
        var otherCases = split.Valid.Where(c => !heldOut.Contains(c.Target)).ToArray();
        var validation = options with { Unranked = cold, Ks = [10] };
        var rows = model.IdEmbeddings;                                                     // [N + 1, D]
        using var original = rows.detach().clone();
        using var fit = tensor(fitIds, dtype: int64, device: rows.device);
        using var held = tensor(heldIds, dtype: int64, device: rows.device);
        var kinds = new SortedDictionary<string, (double, double)>(StringComparer.Ordinal);
        try
        {
            foreach (var kind in Enum.GetValues<ContentMappingKind>())
            {
                using (var mapping = ContentMappings.Fit(kind, content.index_select(0, fit), original.index_select(0, fit), seed))
                using (no_grad())
                {
                    using var mapped = mapping.Map(content.index_select(0, held));        // [H, D]
                    rows.index_copy_(0, held, mapped);
                }

                // Each kind overwrites the same held-out rows; the others stay as trained.
                var scorer = new ModelScorer(model);
                kinds[Configuration.ClosedChoice.Name(kind)] = (Evaluator.Evaluate(scorer, heldCases, validation).Metrics["hr@10"], Evaluator.Evaluate(scorer, otherCases, validation).Metrics["hr@10"]);
            }
        }
        finally
        {
            using (no_grad())
            {
                rows.copy_(original);
            }
        }

        return new MappingSelection(heldIds, heldCases.Length, kinds, kinds.MaxBy(k => k.Value.Item1).Key);
    }
}
