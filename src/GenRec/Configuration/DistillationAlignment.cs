namespace GenRec.Configuration;

/// <summary>How LLM-ESR aligns a user with its similar users (<c>llm_esr.alignment</c>).</summary>
public enum DistillationAlignment
{
    /// <summary>Mean squared error (the paper's knowledge distillation).</summary>
    Mse,

    /// <summary>A symmetric InfoNCE at a learned temperature.</summary>
    Infonce,
}
