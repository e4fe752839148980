namespace GenRec.Configuration;

/// <summary>Which part of a similar user's training history its teacher state reads (<c>llm_esr.teacher_history</c>).</summary>
public enum TeacherHistory
{
    /// <summary>All but the last item (the research code).</summary>
    DropLast,

    /// <summary>Every training item.</summary>
    Whole,
}
