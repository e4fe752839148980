namespace GenRec.Data.Splits;

/// <summary>
/// The test of a model trained on a log as it stood at a cut-off (<c>data.until</c>) on what came after: every
/// interaction of the whole log at or after <c>from</c> is a target, with everything the user did before it (before the
/// cut and earlier in the period) as the history, read as the model's items by key, so users who arrived in the period
/// are tested from their second interaction on. History items the model does not know are left out of the history; a
/// target it does not know cannot be ranked, so that case is counted and left out (the same cases for every model of
/// one catalogue), as is a case with no known history item.
/// </summary>
internal static class NextPeriod
{
    /// <summary>The cases, the users who acted in the period, its interactions, and how many of them had a target outside the catalogue.</summary>
    public sealed record Split(EvalCase[] Cases, int UsersInPeriod, int Interactions, int TargetsOutside);

    /// <summary>The whole log of a run's data: without its <c>data.until</c> and without k-core filtering (every interaction counts).</summary>
    public static SequenceDataset WholeLog(Configuration.DataConfig data, Action<string>? log = null) =>
        DatasetLoader.Load((data with { Until = null, KCore = 0 }).ToRequest(DatasetRequest.DefaultCacheDir), log);

    /// <param name="model">The model's dataset (its item and user ids).</param>
    /// <param name="log">The whole log, with timestamps.</param>
    /// <param name="from">Start of the period (Unix seconds).</param>
    public static Split Create(SequenceDataset model, SequenceDataset log, long from)
    {
        var timestamps = log.Timestamps ?? throw new InvalidDataException($"{log.Name}: the next-period test needs timestamps, and this log has none");
        var cases = new List<EvalCase>();
        var (users, interactions, outside) = (0, 0, 0);
        for (var u = 0; u < log.NumUsers; u++)
        {
            var first = Array.FindIndex(timestamps[u], t => t >= from);
            if (first < 0)
            {
                continue;
            }

            users++;
            var user = model.UserIds.TryGetValue(log.UserKeys[u], out var id) ? id : -1;
            var known = new List<int>();                                               // positions of known items before j
            for (var j = 0; j < log.Sequences[u].Length; j++)
            {
                var isKnown = model.ItemIds.TryGetValue(log.ItemKeys[log.Sequences[u][j]], out var item);
                if (j >= first)
                {
                    interactions++;
                    if (!isKnown)
                    {
                        outside++;
                    }
                    else if (known.Count > 0)
                    {
                        cases.Add(new EvalCase(
                            user,
                            [.. known.Select(k => model.ItemIds[log.ItemKeys[log.Sequences[u][k]]])],
                            item,
                            [.. known.Select(k => timestamps[u][k])],
                            timestamps[u][j],
                            log.Ratings is null ? null : [.. known.Select(k => log.Ratings[u][k])]));
                    }
                }

                if (isKnown)
                {
                    known.Add(j);
                }
            }
        }

        return new Split([.. cases], users, interactions, outside);
    }
}
