namespace GenRec.Data.Splits;

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
