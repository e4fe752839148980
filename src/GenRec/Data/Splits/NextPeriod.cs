namespace GenRec.Data.Splits;

/// <summary>
/// The test of a model trained on a log as it stood at a cut-off (<c>data.until</c>) on what came after: for each user of
/// the whole log with an interaction at or after <c>from</c>, the first such item is the target and everything the user
/// did before <c>from</c> is the history, both read as the model's items by key. History items the model does not know
/// are left out of the history; a target it does not know cannot be ranked, so that case is counted and left out (the
/// same cases for every model of one catalogue).
/// </summary>
internal static class NextPeriod
{
    /// <summary>The cases, how many users acted in the period, and how many of them had a target outside the catalogue.</summary>
    public sealed record Split(EvalCase[] Cases, int UsersInPeriod, int TargetsOutside);

    /// <param name="model">The model's dataset (its item and user ids).</param>
    /// <param name="log">The whole log, with timestamps.</param>
    /// <param name="from">Start of the period (Unix seconds).</param>
    public static Split Create(SequenceDataset model, SequenceDataset log, long from)
    {
        var timestamps = log.Timestamps ?? throw new InvalidDataException($"{log.Name}: the next-period test needs timestamps, and this log has none");
        var cases = new List<EvalCase>();
        var (inPeriod, outside) = (0, 0);
        for (var u = 0; u < log.NumUsers; u++)
        {
            var first = Array.FindIndex(timestamps[u], t => t >= from);
            if (first < 0)
            {
                continue;
            }

            inPeriod++;
            if (!model.ItemIds.TryGetValue(log.ItemKeys[log.Sequences[u][first]], out var target))
            {
                outside++;
                continue;
            }

            var known = Enumerable.Range(0, first).Where(j => model.ItemIds.ContainsKey(log.ItemKeys[log.Sequences[u][j]])).ToArray();
            if (known.Length == 0)
            {
                continue;                                                               // nothing the model can read
            }

            cases.Add(new EvalCase(
                model.UserIds.TryGetValue(log.UserKeys[u], out var user) ? user : -1,
                [.. known.Select(j => model.ItemIds[log.ItemKeys[log.Sequences[u][j]]])],
                target,
                [.. known.Select(j => timestamps[u][j])],
                timestamps[u][first],
                log.Ratings is null ? null : [.. known.Select(j => log.Ratings[u][j])]));
        }

        return new Split([.. cases], inPeriod, outside);
    }
}
