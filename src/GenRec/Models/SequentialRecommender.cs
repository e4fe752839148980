using GenRec.Configuration;
using GenRec.Models.Encoders;
using GenRec.Models.LlmEsr;
using GenRec.Models.Modules;
using GenRec.Models.Preprocessors;
using GenRec.Models.Similarity;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Models;

/// <summary>
/// A sequential retrieval model assembled from swappable parts, as in generative-recommenders:
/// item embedding, input preprocessor, encoder, output postprocessor, similarity. With a
/// <see cref="SemanticViewConfig"/> the item embedding is LLM-ESR's dual view: the ID embedding and
/// an adapted frozen text embedding, each run through the same preprocessor and encoder (after an
/// optional cross-attention between them) and concatenated, or summed into one view.
/// </summary>
internal sealed class SequentialRecommender : nn.Module<SequenceInput, Tensor>
{
    private readonly ItemEmbedding items;
    private readonly InputPreprocessor preprocessor;
    private readonly SequenceEncoder encoder;
    private readonly OutputNormalization outputNorm;
    private readonly MixtureOfLogits? mixtureOfLogits;
    private readonly ISimilarity similarity;
    private readonly SemanticItemView? semantic;
    private readonly ViewCrossAttention? crossAttention;
    private readonly TorchSharp.Modules.Parameter? alignmentLogTemperature;
    private readonly UserFeatureTokens? userTokens;
    private readonly ColdStartQuery? coldStart;

    public SequentialRecommender(ModelConfig config, int numItems) : base(nameof(SequentialRecommender))
    {
        Config = config;
        NumItems = numItems;
        var encoderKind = EncoderRegistry.Get(config.Encoder); // an unknown encoder fails first, naming the known ones
        if (config.PositionInit is not null && config.ResolvedPreprocessor is not (PreprocessorKind.Positional or PreprocessorKind.Rated))
        {
            throw new ArgumentException($"position_init applies to the positional and rated preprocessors; '{ClosedChoice.Name(config.ResolvedPreprocessor)}' does not take it");
        }

        preprocessor = config.ResolvedPreprocessor switch
        {
            PreprocessorKind.Positional => new LearnablePositionalPreprocessor(config.MaxSequenceLength, config.EmbeddingDim, config.Dropout, positionInit: PositionInitOf(config, encoderKind)),
            PreprocessorKind.Plain => new LearnablePositionalPreprocessor(config.MaxSequenceLength, config.EmbeddingDim, config.Dropout, usePositions: false),
            PreprocessorKind.Rated => new LearnablePositionalPreprocessor(config.MaxSequenceLength, config.EmbeddingDim, config.Dropout, useRatings: true, positionInit: PositionInitOf(config, encoderKind)),
            PreprocessorKind.Interleaved => new InterleavedItemRatingPreprocessor(config.MaxSequenceLength, config.EmbeddingDim, config.Dropout),
            var other => throw new ArgumentOutOfRangeException(nameof(config), other, "model.preprocessor"),
        };
        // User feature tokens come first (see FeatureConfig); the encoder's length counts them.
        if (config.Features is { User.Count: > 0 } features)
        {
            if (features.UserCardinalities is not { } cardinalities || cardinalities.Count != features.User.Count)
            {
                throw new ArgumentException("model.features: the user features' cardinalities come from the data; train through the trainer, which sets them");
            }

            userTokens = new UserFeatureTokens(cardinalities, config.EmbeddingDim, config.Dropout);
        }

        var featureTokens = userTokens?.Count ?? 0;

        // The encoder sees tokens: twice as many as items when items and ratings are interleaved.
        encoder = encoderKind.Create(config with { MaxSequenceLength = (config.MaxSequenceLength * preprocessor.TokensPerItem) + featureTokens });
        if (userTokens is not null && (!encoder.IsCausal || preprocessor.TokensPerItem != 1 || config.SemanticView is not null))
        {
            throw new ArgumentException("user feature tokens are for causal encoders (sasrec, sasrec_affine, hstu, gru4rec) with one token per item and no semantic view");
        }

        if (!encoder.IsCausal && preprocessor.UsesRatings)
        {
            // Cloze batches carry no ratings (and a [mask] has none), so bert4rec reads items only.
            throw new ArgumentException("bert4rec reads item ids only; use the positional preprocessor");
        }

        var specialTokens = encoder.IsCausal ? 0 : 1;
        items = new ItemEmbedding(numItems, config.EmbeddingDim, specialTokens: specialTokens, features: config.Features);
        if (config.SemanticView is { } view)
        {
            if (preprocessor.TokensPerItem != 1 || preprocessor.UsesRatings)
            {
                throw new ArgumentException("the semantic item view reads item ids only; use the positional or plain preprocessor");
            }

            semantic = new SemanticItemView(numItems + 1 + specialTokens, view.SemanticDim, config.EmbeddingDim);
            crossAttention = view.Fusion == ViewFusion.CrossAttention ? new ViewCrossAttention(config.EmbeddingDim, view, encoder.IsCausal) : null;
            // The learned temperature of the contrastive (InfoNCE) self-distillation; unused with MSE.
            alignmentLogTemperature = new TorchSharp.Modules.Parameter(tensor(Math.Log(0.1), float32).reshape(1));
        }

        similarity = config.Similarity switch
        {
            SimilarityKind.Dot => new DotProductSimilarity(),
            SimilarityKind.Mol => mixtureOfLogits = new MixtureOfLogits(config.OutputDim, config.MolQueryGroups, config.MolItemGroups, config.MolComponentDim),
            _ => throw new ArgumentOutOfRangeException(nameof(config), config.Similarity, "model.similarity"),
        };

        outputNorm = new OutputNormalization(config.OutputNorm, config.OutputDim);

        // Made last, so that every other parameter starts as it does without it.
        coldStart = userTokens is not null && config.Features!.ColdStartQuery == true ? new ColdStartQuery(config.Features.UserCardinalities!, config.OutputDim) : null;
        RegisterComponents();
    }

    public ModelConfig Config { get; }

    // The configured start of the position table, or the encoder's reference code's (see EncoderRegistry).
    private static PositionInit PositionInitOf(ModelConfig config, EncoderEntry encoderKind) => config.PositionInit ?? encoderKind.PositionInit;

    public int NumItems { get; private set; }

    /// <summary>False for BERT4Rec: trained by cloze, queried through an appended <see cref="MaskToken"/>.</summary>
    public bool IsCausal => encoder.IsCausal;

    public bool UsesTimestamps => encoder.UsesTimestamps;

    public bool UsesRatings => preprocessor.UsesRatings;

    /// <summary>User feature tokens per user (0 without user features).</summary>
    public int UserFeatureCount => userTokens?.Count ?? 0;

    /// <summary>Sets the item feature's item-to-values map (rows: items, padding row 0 included).</summary>
    public void LoadItemFeatures(int[][] values) =>
        (items.Feature ?? throw new InvalidOperationException("this model has no item feature")).Load(values);

    /// <summary>The [mask] token id of bidirectional encoders (one past the last item).</summary>
    public long MaskToken => IsCausal ? throw new InvalidOperationException("causal encoders have no mask token") : NumItems + 1;

    public ISimilarity SimilarityFunction => similarity;

    /// <summary>True when the similarity has parameters of its own (MoL).</summary>
    public bool HasLearnedSimilarity => mixtureOfLogits is not null;

    /// <summary>The LLM-ESR semantic view, when configured.</summary>
    public SemanticItemView? SemanticView => semantic;

    /// <summary>The ID embedding table, padding row included: [numItems + 1, D].</summary>
    public Tensor IdEmbeddings => items.Weight;

    /// <summary>Temperature of the contrastive self-distillation (learned; semantic-view models only).</summary>
    public Tensor AlignmentTemperature => (alignmentLogTemperature ?? throw new InvalidOperationException("only models with a semantic view have an alignment temperature")).exp().clamp_min(0.01);

    // ids: [B, N] right-padded with 0, timestamps: [B, N + 1] or null, ratings: [B, N] or null -> user states [B, N, D'] (D' = OutputDim, normalised)
    public override Tensor forward(SequenceInput input) => Encode(input, keepFeatureTokens: false);

    /// <summary>The query from user features alone for users with no item (see <see cref="Modules.ColdStartQuery"/>), when configured.</summary>
    public ColdStartQuery? ColdStart => coldStart;

    /// <summary>
    /// The query state after each row's history of <paramref name="lengths"/> items [B]: the state at token
    /// <c>F + length - 1</c>, where F user feature tokens come first. A user with no item yet is queried from the
    /// features alone: by the <see cref="ColdStart"/> query when the model has one, else from the last feature token.
    /// Without feature tokens, the last item's state (position 0 for an empty history).
    /// </summary>
    public Tensor QueryStates(SequenceInput input, Tensor lengths)
    {
        var states = Encode(input, keepFeatureTokens: true);                                   // [B, F + N, D']
        var query = StatesAt(states, (lengths + (UserFeatureCount - 1)).clamp_min(0));         // [B, D']
        if (coldStart is null || input.UserFeatures is not { } values)
        {
            return query;
        }

        return where(lengths.eq(0).unsqueeze(1), coldStart.forward(values).to(query.dtype), query); // [B, D']
    }

    private Tensor Encode(SequenceInput input, bool keepFeatureTokens)
    {
        var views = ItemViews(items.forward(input.Ids), semantic?.forward(input.Ids));          // V x [B, N, D]
        var prepared = views.Select(v => preprocessor.Apply(input, v)).ToArray();              // V x ([B, T, D], [B, T], [B, T + 1]?)
        var valid = prepared[0].Valid;
        var tokens = prepared.Select(p => p.Tokens).ToArray();
        if (crossAttention is not null)
        {
            (tokens[0], tokens[1]) = crossAttention.forward(tokens[0], tokens[1], valid);
        }

        var timestamps = encoder.UsesTimestamps ? prepared[0].Timestamps : null;
        if (userTokens is not null)
        {
            // F feature tokens before the items: known values are valid; they take the first item's time.
            var values = input.UserFeatures ?? zeros(input.Ids.shape[0], userTokens.Count, dtype: int64, device: input.Ids.device); // [B, F]
            tokens = [cat([userTokens.forward(values).to(tokens[0].dtype), tokens[0]], 1)];    // [B, F + T, D]
            valid = cat([values.ne(0), valid], 1);                                             // [B, F + T]
            timestamps = timestamps is null ? null : cat([timestamps.narrow(1, 0, 1).expand(-1, userTokens.Count), timestamps], 1); // [B, F + T + 1]
        }

        // Both views share the encoder: one pass over them stacked along the batch ([V * B, T, D]), the same maths as
        // one pass per view with larger matrix products and half the kernel calls.
        var encoded = tokens.Length == 1
            ? [encoder.forward(tokens[0], valid, timestamps)]
            : encoder.forward(cat(tokens, 0), cat(Enumerable.Repeat(valid, tokens.Length).ToArray(), 0),
                timestamps is null ? null : cat(Enumerable.Repeat(timestamps, tokens.Length).ToArray(), 0)).chunk(tokens.Length, 0);
        var states = encoded.Select(t => keepFeatureTokens ? WithItemStates(t) : preprocessor.SelectItemStates(WithoutFeatureTokens(t))).ToArray(); // V x [B, N, D] (or [B, F + N, D])
        return outputNorm.forward(Joined(states));                                             // [B, N, D']
    }

    // Encoder states [B, F + T, D] -> the feature tokens' states followed by the items' [B, F + N, D] (T = N unless the preprocessor interleaves other tokens).
    private Tensor WithItemStates(Tensor states) =>
        userTokens is null ? preprocessor.SelectItemStates(states) : cat([states.narrow(1, 0, userTokens.Count), preprocessor.SelectItemStates(WithoutFeatureTokens(states))], 1);

    // Encoder states [B, F + T, D] -> the item tokens' [B, T, D]: feature tokens never predict an item.
    private Tensor WithoutFeatureTokens(Tensor states) =>
        userTokens is null ? states : states.narrow(1, userTokens.Count, states.shape[1] - userTokens.Count);

    /// <summary>The state at one position of each row: states [B, N, D'], positions [B] -> [B, D'].</summary>
    public static Tensor StatesAt(Tensor states, Tensor positions) =>
        states.gather(1, positions.view(-1, 1, 1).expand(-1, 1, states.shape[2])).squeeze(1);

    public Tensor forward(Tensor ids) => forward(new SequenceInput(ids));

    /// <summary>Normalised embeddings of the given items: [...] -> [..., D'].</summary>
    public Tensor EmbedItems(Tensor ids) => outputNorm.forward(Joined(ItemViews(items.forward(ids), semantic?.forward(ids))));

    /// <summary>Normalised embeddings of all items, padding row included: [numItems + 1, D'].</summary>
    public Tensor AllItemEmbeddings() => outputNorm.forward(Joined(ItemViews(items.AllRows(), semantic?.FirstRows(NumItems + 1))));

    /// <summary>
    /// Adds items after the last one (ids NumItems + 1 onwards): their ID rows [M, D] (e.g. from a content mapping) and,
    /// for a model with LLM-ESR's semantic view, their text embeddings [M, Ds]. Both the scored and the input table grow;
    /// BERT4Rec's [mask] token moves after the new items.
    /// </summary>
    public void AddItems(Tensor idRows, Tensor? textRows = null)
    {
        if (semantic is not null && textRows is null)
        {
            throw new ArgumentException("this model reads item text (LLM-ESR's semantic view): new items need their text embeddings");
        }

        if (textRows is not null && textRows.shape[0] != idRows.shape[0])
        {
            throw new ArgumentException($"{idRows.shape[0]} ID rows but {textRows.shape[0]} text rows");
        }

        items.Append(idRows);
        semantic?.Append(textRows!, NumItems);
        NumItems += (int)idRows.shape[0];
    }

    /// <summary>
    /// Loads the item text embeddings [items + 1, Ds] into the semantic view and, with
    /// <paramref name="pcaInit"/>, sets the ID embeddings of the items to the table's projection on its
    /// top D principal components (LLM-ESR's initialisation; any columns past min(D, Ds, items) keep their init),
    /// as they are or, with <paramref name="pcaStd"/>, rescaled to that overall standard deviation.
    /// </summary>
    public void LoadSemantics(float[] table, bool pcaInit, double? pcaStd = null)
    {
        var view = semantic ?? throw new InvalidOperationException("this model has no semantic view");
        view.Load(table, NumItems);
        if (!pcaInit)
        {
            return;
        }

        using var _ = no_grad();
        var k = Math.Min(Config.EmbeddingDim, Math.Min(NumItems, view.SemanticDim));
        var (projections, _) = Pca.Fit(view.Table.narrow(0, 1, NumItems), k);             // [I, k]
        if (pcaStd is { } std)
        {
            projections = projections * (std / projections.std().item<float>());
        }

        items.Weight.narrow(0, 1, NumItems).narrow(1, 0, k).copy_(projections);
    }

    // ID embeddings [..., D] and, with a semantic view, adapted text embeddings [..., D] -> the item views:
    // [id] (no semantic view, or the id ablation), [id + text] (sum), [text] (the text ablation) or [id, text]
    private Tensor[] ItemViews(Tensor id, Tensor? adapted) => adapted is null ? [id] : Config.SemanticView!.Fusion switch
    {
        ViewFusion.Sum => [id + adapted],
        ViewFusion.Text => [adapted],
        ViewFusion.Id => [id],
        _ => [id, adapted],
    };

    // V x [..., D] -> [..., V * D]
    private static Tensor Joined(Tensor[] views) => views.Length == 1 ? views[0] : cat(views, -1);

    /// <summary>Scores of each state against its own items: states [M, D], ids [M, K] -> [M, K].</summary>
    public Tensor ScorePerRow(Tensor states, Tensor ids) => similarity.PerRow(states, EmbedItems(ids));

    /// <summary>Scores of every state against one item set: states [M, D], ids [K] -> [M, K].</summary>
    public Tensor ScoreShared(Tensor states, Tensor ids) => similarity.Shared(states, EmbedItems(ids));

    /// <summary>Scores against the whole catalogue, padding column 0 included: states [M, D] -> [M, numItems + 1].</summary>
    public Tensor ScoreAll(Tensor states) => similarity.Shared(states, AllItemEmbeddings());
}
