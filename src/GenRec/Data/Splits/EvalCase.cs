namespace GenRec.Data.Splits;

/// <summary>One held-out prediction: the user's history (with its timestamps and ratings when the data has them) and the target item.</summary>
internal sealed record EvalCase(int User, int[] History, int Target, long[]? HistoryTimestamps = null, long TargetTimestamp = 0, float[]? HistoryRatings = null);
