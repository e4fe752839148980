namespace GenRec.Configuration;

/// <summary>Where sampled-softmax negatives come from (<c>train.negatives</c>).</summary>
public enum NegativeSampling
{
    /// <summary>Uniform over the catalogue, drawn per position (collisions with the positive masked).</summary>
    Local,

    /// <summary>One uniform draw shared by the batch (much cheaper on CPU).</summary>
    LocalShared,

    /// <summary>The other positives of the batch.</summary>
    InBatch,
}
