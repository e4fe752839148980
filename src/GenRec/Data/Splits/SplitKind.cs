namespace GenRec.Data.Splits;

/// <summary>How sequences are split into training data and held-out targets.</summary>
public enum SplitKind
{
    /// <summary>
    /// SASRec / S3-Rec / TIGER leave-one-out: train on all but the last two items, validate on the
    /// second-to-last, test on the last (with the validation item in the test history).
    /// </summary>
    LeaveOneOut,

    /// <summary>generative-recommenders: train on all but the last item, test on the last; no validation.</summary>
    LastItem,
}
