namespace GenRec.Catalog;

/// <summary>How an unseen item's embedding is made from its content.</summary>
internal enum ContentMappingKind
{
    /// <summary>Ridge regression (closed form, penalty chosen on held-out pairs).</summary>
    Ridge,

    /// <summary>A one-hidden-layer MLP trained on the mean squared error.</summary>
    Mlp,

    /// <summary>The softmax-weighted rows of the 10 warm items nearest by text (no fitting).</summary>
    Knn,
}
