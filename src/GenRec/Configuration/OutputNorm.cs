namespace GenRec.Configuration;

/// <summary>The output postprocessor of states and item embeddings (<c>model.output_norm</c>).</summary>
public enum OutputNorm
{
    /// <summary>Unit L2 norm (generative-recommenders).</summary>
    L2,

    /// <summary>Layer normalisation.</summary>
    Layernorm,

    /// <summary>Raw states and embeddings (the original SASRec and LLM-ESR with BCE).</summary>
    None,
}
