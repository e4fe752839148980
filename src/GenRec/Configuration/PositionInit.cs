namespace GenRec.Configuration;

/// <summary>How a learnable position table starts (<c>model.position_init</c>; by default each encoder's reference code's).</summary>
public enum PositionInit
{
    /// <summary>Truncated normal, std 0.02 cut at two std (BERT's initializer range; BERT4Rec).</summary>
    Bert,

    /// <summary>Truncated normal, std <c>sqrt(1/D)</c> cut at two std (generative-recommenders' preprocessor; SASRec).</summary>
    InverseSqrtDim,

    /// <summary>Xavier-normal over the <c>[L, D]</c> table (generative-recommenders' HSTU re-initialises everything outside its blocks and item embeddings so).</summary>
    XavierNormal,
}
