namespace GenRec.Configuration;

/// <summary>How a user state scores an item (<c>model.similarity</c>).</summary>
public enum SimilarityKind
{
    /// <summary>The dot product.</summary>
    Dot,

    /// <summary>Mixture of Logits (gated mixture of component dot products).</summary>
    Mol,
}
