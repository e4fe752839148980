using GenRec.Models.LlmEsr;

namespace GenRec.Configuration;

/// <summary>
/// LLM-ESR's dual-view item representation (Liu et al., NeurIPS 2024): a frozen semantic table of
/// item text embeddings [items + 1, <see cref="SemanticDim"/>] read through an adapter
/// (<c>Linear(Ds, Ds/2)</c> then <c>Linear(Ds/2, D)</c>), beside the ID embedding (initialised from a PCA
/// of the semantic table). Fusion: <c>concat</c> (both views run through the shared backbone and the
/// two user states are concatenated, as are the two item embeddings: width 2D), <c>cross_attention</c>
/// (before the backbone each view's tokens are replaced by multi-head attention in which the other view
/// sets the weights and the view keeps its own values, see <see cref="ViewCrossAttention"/>; causal for
/// causal backbones; then as <c>concat</c>; the paper's runs) or <c>sum</c> (one view:
/// ID + adapted semantic embedding, width D); <c>text</c> and <c>id</c> keep one view only (ablations).
/// </summary>
public sealed record SemanticViewConfig
{
    /// <summary>Width of the semantic table (the text embedding's width); set from the embeddings when training starts.</summary>
    public int SemanticDim { get; init; }

    /// <summary>How the two views are fused (<see cref="ViewFusion"/>): besides the three fusions, two single-view ablations, <c>text</c> (the adapted text embeddings only; the ID table is not read) and <c>id</c> (the ID embeddings only, PCA-initialised from the text when <c>llm_esr.pca_init</c>; with <c>llm_esr.alpha</c> 0 that is the plain backbone with PCA-initialised IDs).</summary>
    public ViewFusion Fusion { get; init; } = ViewFusion.CrossAttention;

    /// <summary>Heads of the cross-attention between views (the research code uses 2).</summary>
    public int CrossAttentionHeads { get; init; } = 2;

    /// <summary>
    /// Which view supplies a branch's values: <c>own</c> (the official code: the ID branch attends with
    /// text queries over ID keys and values, the text branch with ID queries over text keys and values)
    /// or <c>other</c> (GenRec's earlier, reversed wiring; kept for the ablation).
    /// </summary>
    public CrossAttentionValues CrossAttentionValues { get; init; } = CrossAttentionValues.Own;

    /// <summary>Dropout on the cross-attention weights (the official module has none).</summary>
    public double CrossAttentionDropout { get; init; }

    /// <summary>Biases on the cross-attention's query, key and value projections (the official module has none).</summary>
    public bool CrossAttentionBias { get; init; }

    /// <summary>
    /// Adds each view's own tokens to its cross-attention output (<c>id' = MHA(...) + id</c>). The official code keeps
    /// the term at weight 0 (models/DualLLMSRS.py:165-166 in DualLLMSASRec: <c>1 * cross_id_seqs + 0 * id_seqs</c>), so it is off by default;
    /// on, a position keeps its own item beside the mixture the other view's weights make (an ablation).
    /// </summary>
    public bool CrossAttentionResidual { get; init; }

    /// <summary>Item views the backbone runs over: 2 for <c>concat</c> and <c>cross_attention</c>, else 1.</summary>
    public int Views => Fusion is ViewFusion.Concat or ViewFusion.CrossAttention ? 2 : 1;
}
