using GenRec.Models.Encoders;
using GenRec.Models.Modules;
using GenRec.Models.Preprocessors;
using GenRec.Models.Similarity;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Models;

/// <summary>
/// A sequential retrieval model assembled from swappable parts, as in generative-recommenders:
/// item embedding, input preprocessor, encoder, output postprocessor, similarity.
/// </summary>
internal sealed class SequentialRecommender : nn.Module<SequenceInput, Tensor>
{
    private readonly ItemEmbedding items;
    private readonly InputPreprocessor preprocessor;
    private readonly SequenceEncoder encoder;
    private readonly OutputNormalization outputNorm;
    private readonly MixtureOfLogits? mixtureOfLogits;
    private readonly ISimilarity similarity;

    public SequentialRecommender(ModelConfig config, int numItems) : base(nameof(SequentialRecommender))
    {
        Config = config;
        NumItems = numItems;
        preprocessor = config.ResolvedPreprocessor switch
        {
            "positional" => new LearnablePositionalPreprocessor(config.MaxSequenceLength, config.EmbeddingDim, config.Dropout),
            "plain" => new LearnablePositionalPreprocessor(config.MaxSequenceLength, config.EmbeddingDim, config.Dropout, usePositions: false),
            "rated" => new LearnablePositionalPreprocessor(config.MaxSequenceLength, config.EmbeddingDim, config.Dropout, useRatings: true),
            "interleaved" => new InterleavedItemRatingPreprocessor(config.MaxSequenceLength, config.EmbeddingDim, config.Dropout),
            var other => throw new ArgumentException($"unknown preprocessor '{other}' (available: positional, plain, rated, interleaved)"),
        };
        // The encoder sees tokens: twice as many as items when items and ratings are interleaved.
        encoder = EncoderFactory.Create(config with { MaxSequenceLength = config.MaxSequenceLength * preprocessor.TokensPerItem });
        if (!encoder.IsCausal && preprocessor.UsesRatings)
        {
            // Cloze batches carry no ratings (and a [mask] has none), so bert4rec reads items only.
            throw new ArgumentException("bert4rec reads item ids only; use the positional preprocessor");
        }

        items = new ItemEmbedding(numItems, config.EmbeddingDim, specialTokens: encoder.IsCausal ? 0 : 1);
        similarity = config.Similarity switch
        {
            "dot" => new DotProductSimilarity(),
            "mol" => mixtureOfLogits = new MixtureOfLogits(config.EmbeddingDim, config.MolQueryGroups, config.MolItemGroups, config.MolComponentDim),
            _ => throw new ArgumentException($"unknown similarity '{config.Similarity}' (available: dot, mol)"),
        };

        outputNorm = new OutputNormalization(config.OutputNorm, config.EmbeddingDim);
        RegisterComponents();
    }

    public ModelConfig Config { get; }

    public int NumItems { get; }

    /// <summary>False for BERT4Rec: trained by cloze, queried through an appended <see cref="MaskToken"/>.</summary>
    public bool IsCausal => encoder.IsCausal;

    public bool UsesTimestamps => encoder.UsesTimestamps;

    public bool UsesRatings => preprocessor.UsesRatings;

    /// <summary>The [mask] token id of bidirectional encoders (one past the last item).</summary>
    public long MaskToken => IsCausal ? throw new InvalidOperationException("causal encoders have no mask token") : NumItems + 1;

    public ISimilarity SimilarityFunction => similarity;

    /// <summary>True when the similarity has parameters of its own (MoL).</summary>
    public bool HasLearnedSimilarity => mixtureOfLogits is not null;

    // ids: [B, N] right-padded with 0, timestamps: [B, N + 1] or null, ratings: [B, N] or null -> user states [B, N, D] (normalised)
    public override Tensor forward(SequenceInput input)
    {
        var (tokens, valid, timestamps) = preprocessor.Apply(input, items.forward(input.Ids)); // [B, T, D], [B, T], [B, T + 1]?
        var states = encoder.forward(tokens, valid, encoder.UsesTimestamps ? timestamps : null); // [B, T, D]
        return outputNorm.forward(preprocessor.SelectItemStates(states));                      // [B, N, D]
    }

    public Tensor forward(Tensor ids) => forward(new SequenceInput(ids));

    /// <summary>Normalised embeddings of the given items: [...] -> [..., D].</summary>
    public Tensor EmbedItems(Tensor ids) => outputNorm.forward(items.forward(ids));

    /// <summary>Normalised embeddings of all items, padding row included: [numItems + 1, D].</summary>
    public Tensor AllItemEmbeddings() => outputNorm.forward(items.Weight);

    /// <summary>Scores of each state against its own items: states [M, D], ids [M, K] -> [M, K].</summary>
    public Tensor ScorePerRow(Tensor states, Tensor ids) => similarity.PerRow(states, EmbedItems(ids));

    /// <summary>Scores of every state against one item set: states [M, D], ids [K] -> [M, K].</summary>
    public Tensor ScoreShared(Tensor states, Tensor ids) => similarity.Shared(states, EmbedItems(ids));

    /// <summary>Scores against the whole catalogue, padding column 0 included: states [M, D] -> [M, numItems + 1].</summary>
    public Tensor ScoreAll(Tensor states) => similarity.Shared(states, AllItemEmbeddings());
}
