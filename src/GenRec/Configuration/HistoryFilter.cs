namespace GenRec.Configuration;

/// <summary>Which history items validation and test rankings leave out (<c>train.history_filter</c>).</summary>
public enum HistoryFilter
{
    /// <summary>Every item of the history.</summary>
    Whole,

    /// <summary>Only the last max_sequence_length items, the model's input (generative-recommenders' evaluation).</summary>
    InputWindow,
}
