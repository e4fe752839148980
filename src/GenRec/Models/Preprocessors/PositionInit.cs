namespace GenRec.Models.Preprocessors;

/// <summary>How a learnable position table starts, following each encoder's reference code.</summary>
internal enum PositionInit
{
    /// <summary>Truncated normal, std 0.02 cut at two std (BERT's initializer range; BERT4Rec).</summary>
    Bert,

    /// <summary>Truncated normal, std <c>sqrt(1/D)</c> cut at two std (generative-recommenders' preprocessor; SASRec).</summary>
    InverseSqrtDim,

    /// <summary>Xavier-normal over the <c>[L, D]</c> table (generative-recommenders' HSTU re-initialises everything outside its blocks and item embeddings so).</summary>
    XavierNormal,
}
