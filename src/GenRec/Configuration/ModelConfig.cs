using GenRec.Models;

namespace GenRec.Configuration;

/// <summary>
/// Architecture of a sequential retrieval model. Defaults are generative-recommenders' ML-1M SASRec
/// setup (dim 50, 200 items, 2 blocks, 1 head, dropout 0.2, L2-normalised outputs, dot product).
/// </summary>
public sealed record ModelConfig
{
    /// <summary>Encoder: <c>sasrec</c>, <c>sasrec_affine</c>, <c>hstu</c>, <c>gru4rec</c>, <c>gru4rec_reference</c> or <c>bert4rec</c> (see <c>Encoders.EncoderRegistry</c>).</summary>
    public string Encoder { get; init; } = "sasrec";

    /// <summary>Width of item embeddings and hidden states.</summary>
    public int EmbeddingDim { get; init; } = 50;

    /// <summary>Longest history the encoder sees (the most recent items are kept).</summary>
    public int MaxSequenceLength { get; init; } = 200;

    /// <summary>Transformer/HSTU blocks, or GRU layers.</summary>
    public int NumBlocks { get; init; } = 2;

    /// <summary>Attention heads per block.</summary>
    public int NumHeads { get; init; } = 1;

    /// <summary>Hidden width of the feed-forward network in each SASRec/BERT4Rec block.</summary>
    public int FfnHiddenDim { get; init; } = 50;

    /// <summary>Dropout rate in the encoder.</summary>
    public double Dropout { get; init; } = 0.2;

    /// <summary>
    /// Input preprocessor: <c>positional</c> (<c>emb * sqrt(D) + learned position</c>, dropout; the
    /// default for attention encoders), <c>plain</c> (embedding and dropout; the GRU4Rec default),
    /// <c>rated</c> (positional, plus a learned rating embedding) or <c>interleaved</c> (item and
    /// rating tokens alternate, 2N tokens). The last two need ratings in the data.
    /// </summary>
    public PreprocessorKind? Preprocessor { get; init; }

    /// <summary>
    /// Start of the learned position table: <c>xavier_normal</c> (generative-recommenders' HSTU),
    /// <c>inverse_sqrt_dim</c> (truncated normal, std <c>sqrt(1/D)</c>: its SASRec) or <c>bert</c>
    /// (truncated normal, std 0.02: BERT4Rec); null takes the encoder's own reference. Only for the
    /// <c>positional</c> and <c>rated</c> preprocessors (others reject it).
    /// </summary>
    public PositionInit? PositionInit { get; init; }

    /// <summary>Output postprocessor: <c>l2</c> (default), <c>layernorm</c> or <c>none</c> (raw states and embeddings, as the original SASRec/LLM-ESR with BCE).</summary>
    public OutputNorm OutputNorm { get; init; } = OutputNorm.L2;

    /// <summary>Similarity between user state and item: <c>dot</c> or <c>mol</c> (Mixture of Logits).</summary>
    public SimilarityKind Similarity { get; init; } = SimilarityKind.Dot;

    /// <summary>MoL: user-side component embeddings.</summary>
    public int MolQueryGroups { get; init; } = 4;

    /// <summary>MoL: item-side component embeddings.</summary>
    public int MolItemGroups { get; init; } = 4;

    /// <summary>MoL: width of each component embedding.</summary>
    public int MolComponentDim { get; init; } = 32;

    /// <summary>HSTU: query/key width per head (default <c>EmbeddingDim / NumHeads</c>).</summary>
    public int? AttentionDim { get; init; }

    /// <summary>HSTU: value/gate width per head (default <c>EmbeddingDim / NumHeads</c>).</summary>
    public int? LinearDim { get; init; }

    /// <summary>HSTU: divide SiLU attention by <c>max_length</c> (the research code's padded length) or <c>user_length</c>.</summary>
    public AttentionDivisor AttentionDivisor { get; init; } = AttentionDivisor.MaxLength;

    /// <summary>HSTU: learned relative position bias.</summary>
    public bool RelativePositionBias { get; init; } = true;

    /// <summary>HSTU: time-gap bucketing for the relative time bias, <c>log</c>, <c>sqrt</c> or <c>none</c>; off without timestamps.</summary>
    public TimeBuckets TimeBucketing { get; init; } = TimeBuckets.Log;

    /// <summary>Buckets of the HSTU relative time bias.</summary>
    public int NumTimeBuckets { get; init; } = 128;

    /// <summary>GRU4Rec: hidden width (default <c>EmbeddingDim</c>).</summary>
    public int? GruHiddenDim { get; init; }

    /// <summary>User and item side information (<see cref="FeatureConfig"/>); null for item ids only.</summary>
    public FeatureConfig? Features { get; init; }

    /// <summary>LLM-ESR dual-view item representation (semantic + ID views); null for ID embeddings only.</summary>
    public SemanticViewConfig? SemanticView { get; init; }

    /// <summary>Width of user states and item embeddings: <c>EmbeddingDim</c> per item view.</summary>
    public int OutputDim => EmbeddingDim * (SemanticView?.Views ?? 1);

    /// <summary>The input preprocessor the encoder uses once defaults are applied.</summary>
    public PreprocessorKind ResolvedPreprocessor => Preprocessor ?? Models.Encoders.EncoderRegistry.Find(Encoder)?.Preprocessor ?? PreprocessorKind.Positional;
}
