namespace GenRec.Data.Splits;

/// <summary>
/// One held-out prediction: the user's history (with its timestamps and ratings when the data has them) and the target
/// item. <c>UserFeatures</c> gives the user's feature value ids for a user the data does not know (serving, cold start);
/// for a known user (<c>User</c> >= 0) the scorer reads the dataset's table.
/// </summary>
internal sealed record EvalCase(int User, int[] History, int Target, long[]? HistoryTimestamps = null, long TargetTimestamp = 0, float[]? HistoryRatings = null, int[]? UserFeatures = null);
