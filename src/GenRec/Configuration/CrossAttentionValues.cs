namespace GenRec.Configuration;

/// <summary>Which view supplies a cross-attention branch's values (<c>model.semantic_view.cross_attention_values</c>).</summary>
public enum CrossAttentionValues
{
    /// <summary>Its own view (the official code: the ID branch attends with text queries over ID keys and values).</summary>
    Own,

    /// <summary>The other view (GenRec's earlier, reversed wiring; kept for the ablation).</summary>
    Other,
}
