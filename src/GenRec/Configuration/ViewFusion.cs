namespace GenRec.Configuration;

/// <summary>How LLM-ESR fuses the ID and text item views (<c>model.semantic_view.fusion</c>).</summary>
public enum ViewFusion
{
    /// <summary>Both views side by side.</summary>
    Concat,

    /// <summary>Each view attends to the other (the paper's).</summary>
    CrossAttention,

    /// <summary>One view, the sum of both.</summary>
    Sum,

    /// <summary>The adapted text embeddings only (an ablation).</summary>
    Text,

    /// <summary>The ID embeddings only (an ablation).</summary>
    Id,
}
