namespace GenRec.Configuration;

/// <summary>Which states of a causal model the loss supervises (<c>train.supervise</c>).</summary>
public enum SuperviseKind
{
    /// <summary>The state after each item predicts the next one.</summary>
    EveryPosition,

    /// <summary>Only the state after the whole input window, predicting the training sequence's last item (LLM-ESR's research code for GRU4Rec).</summary>
    LastPosition,
}
