namespace GenRec.Configuration;

/// <summary>The cases that select the tested epoch (<c>train.select_on</c>).</summary>
public enum SelectOn
{
    /// <summary>The split's validation cases.</summary>
    Validation,

    /// <summary>Each user's last training item after the items before it (for last_item splits).</summary>
    SecondToLast,
}
