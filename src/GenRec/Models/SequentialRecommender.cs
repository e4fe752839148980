using GenRec.Models.Encoders;
using GenRec.Models.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Models;

/// <summary>
/// A sequential retrieval model assembled from swappable parts, as in generative-recommenders:
/// item embedding, input preprocessor, encoder, output postprocessor, similarity.
/// </summary>
internal sealed class SequentialRecommender : nn.Module<Tensor, Tensor>
{
    private readonly ItemEmbedding items;
    private readonly LearnablePositionalPreprocessor preprocessor;
    private readonly nn.Module<Tensor, Tensor, Tensor> encoder;
    private readonly OutputNormalization outputNorm;

    public SequentialRecommender(ModelConfig config, int numItems) : base(nameof(SequentialRecommender))
    {
        Config = config;
        NumItems = numItems;
        items = new ItemEmbedding(numItems, config.EmbeddingDim);
        preprocessor = new LearnablePositionalPreprocessor(config.MaxSequenceLength, config.EmbeddingDim, config.Dropout);
        encoder = config.Encoder switch
        {
            "sasrec" => new SasRecEncoder(config),
            _ => throw new ArgumentException($"unknown encoder '{config.Encoder}' (available: sasrec)"),
        };
        if (config.Similarity != "dot")
        {
            throw new ArgumentException($"unknown similarity '{config.Similarity}' (available: dot)");
        }

        outputNorm = new OutputNormalization(config.OutputNorm, config.EmbeddingDim);
        RegisterComponents();
    }

    public ModelConfig Config { get; }

    public int NumItems { get; }

    // ids: [B, N] right-padded with 0 -> user states [B, N, D] (normalised)
    public override Tensor forward(Tensor ids)
    {
        var valid = ids.ne(0);                                   // [B, N]
        var x = preprocessor.forward(items.forward(ids), valid); // [B, N, D]
        return outputNorm.forward(encoder.forward(x, valid));    // [B, N, D]
    }

    /// <summary>Normalised embeddings of the given items: [...] -> [..., D].</summary>
    public Tensor EmbedItems(Tensor ids) => outputNorm.forward(items.forward(ids));

    /// <summary>Normalised embeddings of all items, padding row included: [numItems + 1, D].</summary>
    public Tensor AllItemEmbeddings() => outputNorm.forward(items.Weight);

    /// <summary>Similarity of user states [M, D] with item embeddings [I, D] -> [M, I].</summary>
    public static Tensor Similarity(Tensor states, Tensor itemEmbeddings) => states.matmul(itemEmbeddings.t());
}
