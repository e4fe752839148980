namespace GenRec.Configuration;

/// <summary>When LLM-ESR computes its teacher representations (<c>llm_esr.teacher_refresh</c>).</summary>
public enum TeacherRefresh
{
    /// <summary>Every step, from the current model in training mode (the research code).</summary>
    Step,

    /// <summary>Once per epoch for every user, in evaluation mode (the teacher lags by at most an epoch).</summary>
    Epoch,
}
