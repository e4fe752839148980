using GenRec.Configuration;
using GenRec.Checkpoints;
using GenRec.Compute;
using GenRec.Data;
using GenRec.Data.Splits;
using GenRec.Evaluation;
using GenRec.Serving;
using GenRec.Training;

namespace GenRec;

/// <summary>
/// A trained sequential retrieval model (SASRec, HSTU, GRU4Rec, BERT4Rec, LLM-ESR checkpoints) with the dataset it was
/// trained on, answering in the dataset's original ids: the top-k next items for a known user or for any history, the
/// model's scores of given candidates, and the offline evaluation of its test split. Thread-safe for queries; dispose it
/// to free the weights (native memory).
/// </summary>
/// <example>
/// <code>
/// using var recommender = Recommender.Load("runs/quickstart/best.ckpt");
/// foreach (var r in recommender.Recommend(user: "42", k: 10)) Console.WriteLine($"{r.Key} {r.Label} {r.Score:F3}");
/// </code>
/// </example>
public sealed class Recommender : IDisposable
{
    private readonly RetrievalEngine engine;
    private readonly SplitKind split;

    private Recommender(RetrievalEngine engine, SplitKind split)
    {
        this.engine = engine;
        this.split = split;
    }

    /// <summary>The dataset the model was trained on (its users, items and sequences).</summary>
    public SequenceDataset Dataset => engine.Dataset;

    /// <summary>
    /// Loads a checkpoint (<c>best.ckpt</c> or <c>last.ckpt</c> of a training run) and finds its dataset from the location
    /// recorded in it (the configured path, the recorded absolute one, or relative to the checkpoint's folders).
    /// </summary>
    /// <exception cref="FileNotFoundException">The checkpoint or its dataset cannot be found.</exception>
    /// <exception cref="InvalidDataException">The file is not a GenRec retrieval checkpoint.</exception>
    public static Recommender Load(string checkpoint, RecommenderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpoint);
        options ??= new();
        return Open(checkpoint, new() { Device = ComputeDevice.Resolve(options.Device), Log = options.Log }, options.Index);
    }

    /// <summary>Loads a checkpoint trained on <paramref name="dataset"/> (e.g. one prepared in memory by <see cref="Datasets.FromInteractions"/>).</summary>
    /// <exception cref="ArgumentException">The dataset is not the one the model was trained on (its item count differs).</exception>
    public static Recommender LoadWithDataset(string checkpoint, SequenceDataset dataset, RecommenderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpoint);
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= new();
        return Open(checkpoint, new() { Device = ComputeDevice.Resolve(options.Device), Dataset = dataset }, options.Index);
    }

    private static Recommender Open(string checkpoint, CheckpointOpenOptions open, IndexKind index)
    {
        using var opened = Checkpoint.Open(checkpoint, open);
        return new Recommender(RetrievalEngine.Create(opened.TakeRetrieval("a Recommender"), opened.Dataset, checkpoint, index), opened.Header.Data.Split);
    }

    /// <summary>The top-k next items after a known user's whole sequence.</summary>
    /// <param name="user">The user's original id.</param>
    /// <param name="k">How many items (at least 1).</param>
    /// <param name="filterHistory">Leave out items the user already has (the evaluation's protocol).</param>
    /// <exception cref="KeyNotFoundException">The user is not in the dataset.</exception>
    public IReadOnlyList<Recommendation> Recommend(string user, int k = 10, bool filterHistory = true)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (!Dataset.UserIds.TryGetValue(user, out var id))
        {
            throw new KeyNotFoundException($"unknown user '{Util.QuotedText.Clip(user)}' (not in {Dataset.Name})");
        }

        return engine.Recommend(Dataset.Sequences[id], k, filterHistory, user: id);
    }

    /// <summary>
    /// The top-k next items after a history of original item ids, oldest first (any user, known or not), with the user's
    /// features by name for a model that reads them (e.g. <c>{"gender": "F"}</c>; the others are unknown).
    /// </summary>
    /// <exception cref="ArgumentException">An item id is not in the dataset (the unknown ids are named), or a feature is not one the model reads.</exception>
    public IReadOnlyList<Recommendation> RecommendAfter(IReadOnlyList<string> history, int k = 10, bool filterHistory = true, IReadOnlyDictionary<string, string>? userFeatures = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        return engine.Recommend(Items(history, nameof(history)), k, filterHistory, userFeatures: engine.EncodeUserFeatures(userFeatures));
    }

    /// <summary>The model's scores of <paramref name="candidates"/> after <paramref name="history"/>, in the candidates' order (higher is better).</summary>
    /// <exception cref="ArgumentException">An item id is not in the dataset (the unknown ids are named).</exception>
    public IReadOnlyList<float> Rank(IReadOnlyList<string> history, IReadOnlyList<string> candidates) =>
        engine.Rank(Items(history, nameof(history)), Items(candidates, nameof(candidates)));

    /// <summary>
    /// Evaluates the model on its dataset's test split as training did (leave-one-out or last-item; full ranking over
    /// all items, history filtered, unless <paramref name="options"/> say otherwise).
    /// </summary>
    public EvalResult Evaluate(EvalOptions? options = null, IProgress<int>? progress = null) =>
        Evaluator.Evaluate(engine.Scorer, SequenceSplit.Create(Dataset, split).Test, options ?? new EvalOptions(), progress);

    /// <summary>Frees the model's weights.</summary>
    public void Dispose() => engine.Dispose();

    private int[] Items(IReadOnlyList<string> keys, string field)
    {
        ArgumentNullException.ThrowIfNull(keys, field);
        return Dataset.TryItemsOf(keys, out var ids, out var unknown)
            ? ids
            : throw new ArgumentException($"{field}: {SequenceDataset.DescribeUnknown(unknown)}", field);
    }
}
