namespace GenRec.Data.Splits;

/// <summary>One held-out prediction: a user's history (oldest first) and the item that came next.</summary>
public sealed record EvalCase(int User, int[] History, int Target, long[]? HistoryTimestamps = null, long TargetTimestamp = 0);
