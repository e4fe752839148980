namespace GenRec.Data.Splits;

/// <summary>
/// One held-out prediction: the user's history (with its timestamps and ratings when the data has them) and the target
/// item. <c>UserFeatures</c> gives the user's feature value ids for a user the data does not know (serving, cold start);
/// for a known user (<c>User</c> >= 0) the scorer reads the dataset's table.
/// </summary>
internal sealed record EvalCase(int User, int[] History, int Target, long[]? HistoryTimestamps = null, long TargetTimestamp = 0, float[]? HistoryRatings = null, int[]? UserFeatures = null);

/// <summary>Transformations of evaluation cases.</summary>
internal static class EvalCases
{
    /// <summary>
    /// A simulated cold start: the same cases with only the first <paramref name="items"/> items of each history (their
    /// times and ratings too); the target and its time are unchanged.
    /// </summary>
    public static EvalCase[] HistoryPrefix(IEnumerable<EvalCase> cases, int items)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(items);
        return [.. cases.Select(c =>
        {
            var n = Math.Min(items, c.History.Length);
            return c with { History = c.History[..n], HistoryTimestamps = c.HistoryTimestamps?[..n], HistoryRatings = c.HistoryRatings?[..n] };
        })];
    }
}
