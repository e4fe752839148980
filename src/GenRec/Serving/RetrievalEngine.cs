using GenRec.Configuration;
using GenRec.Scoring;
using GenRec.Checkpoints;
using GenRec.Compute;
using GenRec.Data;
using GenRec.Data.Splits;
using GenRec.Evaluation;
using GenRec.Models;
using GenRec.Catalog;
using GenRec.Serving.Indexing;
using GenRec.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Serving;

/// <summary>
/// A trained retrieval model ready to serve: the user's state after a history is the query, items
/// come from an index over the exported item embeddings (exact or HNSW; dot-product models), and
/// <see cref="Rank"/> scores given candidates with the model's own similarity, so its scores equal
/// the offline evaluation's. Mixture-of-Logits models have no single item vector, so they are always
/// served by exact full scoring. Thread-safe: inference only reads the weights.
/// </summary>
internal sealed class RetrievalEngine : IRetriever
{
    private readonly SequentialRecommender model;
    private readonly ModelScorer scorer;
    private readonly Data.Features.UserFeatureTable? userFeatures;   // the dataset's features this model reads, selected once
    private readonly IItemIndex? index;
    private readonly TopKRecommender fullScoring;
    private DynamicBatcher<int[], float[]>? batcher;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, float[]> knownUserStates = new();

    internal RetrievalEngine(SequentialRecommender model, SequenceDataset dataset, IndexKind indexKind = IndexKind.Exact, string source = "", IReadOnlySet<int>? withdrawn = null, EngineLineage? lineage = null)
    {
        if (model.NumItems != dataset.NumItems)
        {
            throw new ArgumentException($"the model has {model.NumItems} items, the dataset {dataset.NumItems}: they were not prepared alike");
        }

        this.model = model;
        model.eval();
        Dataset = dataset;
        FirstNewItem = dataset.NumItems + 1;
        Source = source;
        userFeatures = FeatureResolution.UsersFor(model.Config, dataset);
        scorer = new ModelScorer(model, userFeatures);
        Withdrawn = withdrawn ?? new HashSet<int>();
        fullScoring = new TopKRecommender(scorer, dataset, Withdrawn);
        Stamp = lineage?.Stamp;
        if (!model.HasLearnedSimilarity)
        {
            Items = ExportItemVectors(model);
            var predecessor = lineage?.Previous is { } previous && previous.IsSameModel(this) ? previous : null;
            index = IndexOver(Items, indexKind, predecessor);
            if (predecessor is not null && SameHistories(predecessor.Dataset, dataset))
            {
                // The same weights and the same users' histories: a known user's state is what the previous engine computed.
                foreach (var (user, state) in predecessor.knownUserStates)
                {
                    knownUserStates[user] = state;
                }
            }
        }
    }

    /// <summary>The checkpoint file this engine was loaded from, as it was then (null: not loaded from a file).</summary>
    internal CheckpointStamp? Stamp { get; }

    /// <summary>Whether this engine's index was extended from its predecessor's instead of built anew (a catalogue change served in place).</summary>
    internal bool IndexExtended { get; private set; }

    // The same checkpoint file, unchanged, and the same rows for every item this engine knew (a successor's catalogue only adds).
    private bool IsSameModel(RetrievalEngine successor) =>
        Stamp is { } stamp && successor.Stamp == stamp && Items is { } before && successor.Items is { } after && after.Dim == before.Dim
        && after.Count >= before.Count && after.Values.AsSpan(0, before.Values.Length).SequenceEqual(before.Values);

    private static bool SameHistories(SequenceDataset before, SequenceDataset after) =>
        before.NumUsers == after.NumUsers && before.UserKeys.AsSpan().SequenceEqual(after.UserKeys)
        && Enumerable.Range(0, before.NumUsers).All(u => before.Sequences[u].AsSpan().SequenceEqual(after.Sequences[u]));

    // The index over the rows: a predecessor's USearch graph extended in place when there is one, else built.
    private IItemIndex IndexOver(ItemVectors items, IndexKind kind, RetrievalEngine? predecessor)
    {
        if (kind != IndexKind.USearch)
        {
            return kind == IndexKind.Hnsw ? new HnswIndex(items) : new ExactItemIndex(items);
        }

        if (predecessor?.index is ItemIndexSnapshot shared)
        {
            USearchItemIndex? graph = null;
            try
            {
                graph = shared.Graph.Retain();
                graph.Extend(items);
                IndexExtended = true;
                return new ItemIndexSnapshot(graph, items);
            }
            catch (Exception e) when (e is ArgumentException or ObjectDisposedException)
            {
                graph?.Dispose();                                                                  // the graph went on to other rows (a change never served), or is gone: built anew
            }
        }

        return new ItemIndexSnapshot(new USearchItemIndex(items), items);
    }

    public SequenceDataset Dataset { get; }

    /// <summary>The first item added after training (its catalogue's; <c>NumItems + 1</c> when none was added).</summary>
    internal int FirstNewItem { get; private set; }

    /// <summary>
    /// The share of each answer kept for items added after training (<see cref="NewItemSlots"/>; 0: none). Dot-product
    /// models served from an index only; Mixture-of-Logits answers are the model's.
    /// </summary>
    internal double NewItemShare
    {
        get => newItemShare;
        set => newItemShare = value is >= 0 and < 1 ? value : throw new ArgumentOutOfRangeException(nameof(NewItemShare), value, "the share of an answer kept for new items: from 0 (none) up to, not including, 1");
    }

    private double newItemShare;

    /// <summary>
    /// Unit text vectors of every item (row 0 padding) when the new items' places go to those nearest by text to the
    /// history's last item (the text floor's order, <see cref="PlaceNewItemsByText"/>); null: to those the model scores best.
    /// </summary>
    internal ItemVectors? ItemText { get; private set; }

    /// <summary>The added items' text vectors from the checkpoint's catalogue, in id order from <see cref="FirstNewItem"/> (empty: none added).</summary>
    internal IReadOnlyList<float[]> AddedItemText { get; private set; } = [];

    /// <summary>
    /// Places the new items by text: <paramref name="trained"/> holds the trained items' text vectors ([trained + 1, T],
    /// row 0 padding; the ones the catalogue's mapping was fitted on), the added ones come from the catalogue.
    /// </summary>
    internal void PlaceNewItemsByText((float[] Values, int Dim) trained)
    {
        var rows = FirstNewItem;                                                                   // padding + trained items
        if (trained.Values.Length != rows * trained.Dim)
        {
            throw new ArgumentException($"the trained items' text vectors: {trained.Values.Length / Math.Max(1, trained.Dim)} rows of {trained.Dim}, expected {rows} (padding and {rows - 1} items)");
        }

        if (AddedItemText.Any(t => t.Length != trained.Dim))
        {
            throw new ArgumentException($"the catalogue's text vectors are not of the trained items' width {trained.Dim}: embedded with another encoder?");
        }

        var values = new float[(Dataset.NumItems + 1) * trained.Dim];
        trained.Values.CopyTo(values, 0);
        for (var i = 0; i < AddedItemText.Count; i++)
        {
            AddedItemText[i].CopyTo(values, (rows + i) * trained.Dim);
        }

        for (var item = 1; item <= Dataset.NumItems; item++)
        {
            var row = values.AsSpan(item * trained.Dim, trained.Dim);
            var norm = System.Numerics.Tensors.TensorPrimitives.Norm(row);
            if (norm > 0)
            {
                System.Numerics.Tensors.TensorPrimitives.Divide(row, norm, row);
            }
        }

        ItemText = new ItemVectors(values, trained.Dim);
    }

    /// <summary>The served model (read-only use: the catalogue's content mapping reads its item rows).</summary>
    internal SequentialRecommender Model => model;

    /// <summary>Items withdrawn from the catalogue (dense ids): in the model, never recommended.</summary>
    public IReadOnlySet<int> Withdrawn { get; }

    /// <summary>Where the model came from (checkpoint path), for /health.</summary>
    public string Source { get; }

    public string IndexName => index?.Name ?? "exact (full scoring)";

    /// <summary>The top-k index (null: Mixture-of-Logits, served by full scoring).</summary>
    internal IItemIndex? ItemIndex => index;

    /// <summary>Item embeddings for the index; null for Mixture-of-Logits models.</summary>
    public ItemVectors? Items { get; }

    public IReadOnlyDictionary<string, int> UserLookup => Dataset.UserIds;

    /// <summary>Normalised item embeddings, padding row 0 included.</summary>
    internal static ItemVectors ExportItemVectors(SequentialRecommender model)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var all = model.AllItemEmbeddings().cpu().contiguous();                         // [I + 1, D], on the host for the index
        return new ItemVectors(all.data<float>().ToArray(), (int)all.shape[1]);
    }

    /// <summary>The query vector after a history (oldest first, dense ids): [D].</summary>
    public float[] UserState(int[] history) => UserStates([history])[0];

    /// <summary>Query vectors of many histories at once, in batches: one [D] row each.</summary>
    public float[][] UserStates(IReadOnlyList<int[]> histories, int batchSize = 256) => States([.. histories.Select(h => Case(h))], batchSize);

    /// <summary>True when the model reads user feature tokens (their values come with the user or the request).</summary>
    public bool UsesUserFeatures => model.UserFeatureCount > 0;

    /// <summary>
    /// Feature value ids of a request's user features (by name), for an unseen user; null when none are given. Unknown
    /// values are "unknown"; an unknown feature name, or features given to a model that reads none, is an error.
    /// </summary>
    public int[]? EncodeUserFeatures(IReadOnlyDictionary<string, string>? values)
    {
        if (values is null || values.Count == 0)
        {
            return null;
        }

        return (userFeatures ?? throw new ArgumentException("this model reads no user features")).Encode(values);
    }

    private float[][] States(IReadOnlyList<EvalCase> cases, int batchSize = 256)
    {
        var result = new List<float[]>(cases.Count);
        for (var start = 0; start < cases.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var states = scorer.UserStates(cases.Skip(start).Take(batchSize).ToArray()).cpu().contiguous(); // [B, D]
            var flat = states.data<float>().ToArray();
            var d = (int)states.shape[1];
            result.AddRange(Enumerable.Range(0, flat.Length / d).Select(i => flat[(i * d)..((i + 1) * d)]));
        }

        return [.. result];
    }

    /// <summary>Top-k items after the history (of a known <paramref name="user"/>, or of an unseen one with <paramref name="userFeatures"/>); items of the history are left out when asked.</summary>
    public IReadOnlyList<Recommendation> Recommend(int[] history, int k, bool filterHistory = true, int user = -1, int[]? userFeatures = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        return index is null
            ? fullScoring.Recommend(history, k, filterHistory, user, userFeatures)
            : Search(States([Case(history, user, userFeatures)])[0], history, k, filterHistory);
    }

    /// <summary>
    /// <see cref="Recommend"/> with the user-state pass batched with concurrent requests' (after
    /// <see cref="EnableBatching"/>; otherwise, and for Mixture-of-Logits models, computed alone).
    /// </summary>
    internal async Task<IReadOnlyList<Recommendation>> RecommendAsync(int[] history, int k, bool filterHistory = true, int[]? userFeatures = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        // The batcher carries histories only: requests with features are computed alone.
        if (index is null || userFeatures is not null || Volatile.Read(ref batcher)?.RunAsync(history) is not { } state)
        {
            return Recommend(history, k, filterHistory, userFeatures: userFeatures);
        }

        return Search(await state.ConfigureAwait(false), history, k, filterHistory);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<Recommendation>> RetrieveAsync(RetrievalQuery query) =>
        query.User >= 0 ? RecommendForUserAsync(query.User, query.K, query.FilterHistory) : RecommendAsync(query.History, query.K, query.FilterHistory, query.UserFeatures);

    /// <summary>Most known users whose state is kept (the state after a known user's whole history does not change while this model is served).</summary>
    internal int MaxCachedUsers { get; init; } = 200_000;

    /// <summary>Known users whose state is kept now.</summary>
    internal int CachedUsers => knownUserStates.Count;

    /// <summary>
    /// <see cref="RecommendAsync"/> for a known user (dense index): the state after the user's stored
    /// history is computed once per served model and kept (up to <see cref="MaxCachedUsers"/> users).
    /// </summary>
    internal async Task<IReadOnlyList<Recommendation>> RecommendForUserAsync(int user, int k, bool filterHistory = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var history = Dataset.Sequences[user];
        if (index is null)
        {
            return Recommend(history, k, filterHistory, user);
        }

        if (!knownUserStates.TryGetValue(user, out var state))
        {
            // With user features the state needs the user's own (stored) features: computed alone, then kept.
            state = !UsesUserFeatures && Volatile.Read(ref batcher)?.RunAsync(history) is { } pending
                ? await pending.ConfigureAwait(false)
                : States([Case(history, user)])[0];
            if (knownUserStates.Count < MaxCachedUsers)
            {
                knownUserStates.TryAdd(user, state);
            }
        }

        return Search(state, history, k, filterHistory);
    }

    /// <summary>
    /// Computes and keeps the states of the first <paramref name="maxUsers"/> known users (at most <see cref="MaxCachedUsers"/>) in batches (at load,
    /// before the model is served, so that a swap does not send every known user through a forward pass at once).
    /// </summary>
    internal void PrecomputeKnownUsers(int maxUsers = int.MaxValue, int batchSize = 256)
    {
        if (index is null)
        {
            return;
        }

        var users = Math.Min(Math.Min(Dataset.NumUsers, MaxCachedUsers), maxUsers);
        int[] missing = [.. Enumerable.Range(0, users).Where(u => !knownUserStates.ContainsKey(u))];   // those a predecessor left are kept
        for (var start = 0; start < missing.Length; start += batchSize)
        {
            var batch = missing.AsSpan(start, Math.Min(batchSize, missing.Length - start)).ToArray();
            var states = States([.. batch.Select(u => Case(Dataset.Sequences[u], u))], batchSize);
            for (var i = 0; i < batch.Length; i++)
            {
                knownUserStates[batch[i]] = states[i];
            }
        }
    }

    /// <summary>Gathers concurrent <see cref="RecommendAsync"/> calls' forward passes into batches of at most <paramref name="maxBatch"/>, waiting at most <paramref name="maxWait"/>.</summary>
    public void EnableBatching(int maxBatch, TimeSpan maxWait, Action<int, TimeSpan>? observe = null, int workers = 1) =>
        Volatile.Write(ref batcher, new DynamicBatcher<int[], float[]>(histories => UserStates(histories, maxBatch), maxBatch, maxWait, observe, workers));

    /// <summary>Stops batching (the engine is being replaced): queued requests are answered, later ones computed alone.</summary>
    public Task StopBatching() => Interlocked.Exchange(ref batcher, null)?.Complete() ?? Task.CompletedTask;

    private Recommendation[] Search(float[] state, int[] history, int k, bool filterHistory)
    {
        var exclude = filterHistory ? history.ToHashSet() : Withdrawn.Count > 0 ? [] : null;
        exclude?.UnionWith(Withdrawn);
        var found = index!.Search(state, k, exclude);
        var slots = NewItemSlots.Slots(NewItemShare, k);
        if (slots > 0 && FirstNewItem <= Dataset.NumItems)
        {
            found = NewItemSlots.Merge(found, BestNewItems(state, history, k + slots, exclude), item => item >= FirstNewItem, k, NewItemShare);
        }

        return found
            .Select(s => new Recommendation(s.Item, Dataset.ItemKeys[s.Item], Dataset.ItemLabel(s.Item), s.Score))
            .ToArray();
    }

    // The items added after training, best first (exact: they are few beside the trained ones): by their text's cosine
    // with the history's last item when placed by text, else by the model's score; listed with the model's score.
    internal ScoredItem[] BestNewItems(float[] state, int[] history, int count, IReadOnlySet<int>? exclude)
    {
        var text = ItemText;
        var last = history.Length > 0 ? history[^1] : 0;
        var candidates = Enumerable.Range(FirstNewItem, Dataset.NumItems - FirstNewItem + 1).Where(item => exclude?.Contains(item) != true);
        var ordered = text is not null && last > 0
            ? candidates.Select(item => (Item: item, Order: text.Dot(text.Row(last), item)))
            : candidates.Select(item => (Item: item, Order: Items!.Dot(state, item)));
        return [.. ordered.OrderByDescending(c => c.Order).ThenBy(c => c.Item).Take(count).Select(c => new ScoredItem(c.Item, Items!.Dot(state, c.Item)))];
    }

    /// <summary>The name of the first weight tensor holding NaN or infinity, or null when all are finite.</summary>
    public string? FirstNonFiniteWeight() => model.FirstNonFiniteParameter();

    /// <summary>The model's scores of the candidates after the history (of a known user, or an unseen one with features), in the candidates' order.</summary>
    public float[] Rank(int[] history, int[] candidates, int user = -1, int[]? userFeatures = null)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var state = scorer.UserStates([Case(history, user, userFeatures)]);              // [1, D]
        var scores = model.ScoreShared(state, tensor(candidates.Select(c => (long)c).ToArray()).ToDevice(state.device)); // [1, C]
        return scores.cpu().contiguous().data<float>().ToArray();
    }

    public void Dispose()
    {
        model.Dispose();
        (index as IDisposable)?.Dispose();
    }

    /// <summary>The model as an evaluation scorer (its scores equal <see cref="Rank"/>'s).</summary>
    internal IScorer Scorer => scorer;

    // Serving has no timestamps or ratings for an ad-hoc history: models that need them are refused at load.
    private static EvalCase Case(int[] history, int user = -1, int[]? userFeatures = null) => new(user, history, 0, UserFeatures: userFeatures);

    /// <summary>
    /// Loads a retrieval checkpoint and the dataset it was trained on (<see cref="Checkpoint.Open"/>). With the engine
    /// now serving the same unchanged checkpoint as <paramref name="previous"/> (a reload after a catalogue change), its
    /// USearch graph is extended in place and its known users' states are kept instead of being computed again.
    /// </summary>
    public static RetrievalEngine Load(string checkpoint, CheckpointOpenOptions options, IndexKind indexKind = IndexKind.Exact, RetrievalEngine? previous = null)
    {
        var stamp = CheckpointStamp.Of(checkpoint);
        using var opened = Checkpoint.Open(checkpoint, options);
        var catalogPath = Catalog.ItemCatalog.PathOf(checkpoint);
        var catalog = options.WithCatalog && File.Exists(catalogPath) ? Catalog.ItemCatalog.Read(catalogPath) : null;
        var trainedItems = opened.Retrieval?.NumItems ?? opened.Dataset.NumItems;          // the checkpoint's own; its catalogue's come after
        if (catalog is not null && trainedItems + catalog.Items.Count != opened.Dataset.NumItems)
        {
            throw new InvalidDataException($"{catalogPath}: changed while the checkpoint was being opened ({catalog.Items.Count} added items now, {opened.Dataset.NumItems - trainedItems} applied); open it again");
        }

        var withdrawn = catalog?.WithdrawnIn(opened.Dataset, catalogPath);
        var engine = Create(opened.TakeRetrieval("serving"), opened.Dataset, checkpoint, indexKind, withdrawn, new EngineLineage(stamp, previous));
        engine.FirstNewItem = trainedItems + 1;
        engine.AddedItemText = catalog is null ? [] : [.. catalog.Items.Select(i => i.Text)];
        return engine;
    }

    /// <summary>An engine over a loaded model and the dataset it was trained on; refuses models that need signals a served history lacks.</summary>
    internal static RetrievalEngine Create(SequentialRecommender model, SequenceDataset dataset, string checkpoint, IndexKind indexKind = IndexKind.Exact, IReadOnlySet<int>? withdrawn = null, EngineLineage? lineage = null)
    {
        if ((model.UsesTimestamps && dataset.Timestamps is not null) || model.UsesRatings)
        {
            // (A time-aware model trained on data without timestamps never used its time term: that one is fine.)
            model.Dispose();
            throw new ArgumentException($"{checkpoint}: the model reads timestamps or ratings, which a served history does not carry; serve a model trained without them");
        }

        return new RetrievalEngine(model, dataset, indexKind, checkpoint, withdrawn, lineage);
    }
}
