namespace GenRec.Configuration;

/// <summary>The retrieval loss (<c>train.loss</c>).</summary>
public enum LossKind
{
    /// <summary>Softmax over the positive and sampled negatives (generative-recommenders).</summary>
    SampledSoftmax,

    /// <summary>Softmax over every item.</summary>
    FullSoftmax,

    /// <summary>Binary cross-entropy with one negative per position (the original SASRec).</summary>
    Bce,
}
