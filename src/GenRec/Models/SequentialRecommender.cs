using GenRec.Models.Encoders;
using GenRec.Models.Modules;
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
    private readonly LearnablePositionalPreprocessor preprocessor;
    private readonly SequenceEncoder encoder;
    private readonly OutputNormalization outputNorm;
    private readonly MixtureOfLogits? mixtureOfLogits;
    private readonly ISimilarity similarity;

    public SequentialRecommender(ModelConfig config, int numItems) : base(nameof(SequentialRecommender))
    {
        Config = config;
        NumItems = numItems;
        encoder = EncoderFactory.Create(config);
        items = new ItemEmbedding(numItems, config.EmbeddingDim, specialTokens: encoder.IsCausal ? 0 : 1);
        preprocessor = config.ResolvedPreprocessor switch
        {
            "positional" => new LearnablePositionalPreprocessor(config.MaxSequenceLength, config.EmbeddingDim, config.Dropout),
            "plain" => new LearnablePositionalPreprocessor(config.MaxSequenceLength, config.EmbeddingDim, config.Dropout, usePositions: false),
            var other => throw new ArgumentException($"unknown preprocessor '{other}' (available: positional, plain)"),
        };
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

    /// <summary>The [mask] token id of bidirectional encoders (one past the last item).</summary>
    public long MaskToken => IsCausal ? throw new InvalidOperationException("causal encoders have no mask token") : NumItems + 1;

    public ISimilarity SimilarityFunction => similarity;

    /// <summary>True when the similarity has parameters of its own (MoL).</summary>
    public bool HasLearnedSimilarity => mixtureOfLogits is not null;

    // ids: [B, N] right-padded with 0, timestamps: [B, N + 1] or null -> user states [B, N, D] (normalised)
    public override Tensor forward(SequenceInput input)
    {
        var valid = input.Ids.ne(0);                                                  // [B, N]
        var x = preprocessor.forward(items.forward(input.Ids), valid);                // [B, N, D]
        var timestamps = encoder.UsesTimestamps ? input.Timestamps : null;
        return outputNorm.forward(encoder.forward(x, valid, timestamps));             // [B, N, D]
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
