namespace GenRec.Models;

/// <summary>
/// Architecture of a sequential retrieval model. Defaults are generative-recommenders' ML-1M SASRec
/// setup (dim 50, 200 items, 2 blocks, 1 head, dropout 0.2, L2-normalised outputs, dot product).
/// </summary>
public sealed record ModelConfig
{
    /// <summary>Encoder: <c>sasrec</c>.</summary>
    public string Encoder { get; init; } = "sasrec";

    public int EmbeddingDim { get; init; } = 50;

    /// <summary>Longest history the encoder sees (the most recent items are kept).</summary>
    public int MaxSequenceLength { get; init; } = 200;

    public int NumBlocks { get; init; } = 2;

    public int NumHeads { get; init; } = 1;

    /// <summary>Hidden width of the feed-forward network in each SASRec block.</summary>
    public int FfnHiddenDim { get; init; } = 50;

    public double Dropout { get; init; } = 0.2;

    /// <summary>Output postprocessor: <c>l2</c> (default) or <c>layernorm</c>.</summary>
    public string OutputNorm { get; init; } = "l2";

    /// <summary>Similarity between user state and item: <c>dot</c>.</summary>
    public string Similarity { get; init; } = "dot";
}
