namespace GenRec.Distributed;

/// <summary>Collectives built on <see cref="IProcessGroup"/>'s few.</summary>
internal static class ProcessGroupExtensions
{
    /// <summary>True on every rank when <paramref name="value"/> is true on every rank (all continue, or all stop).</summary>
    public static bool AllAgree(this IProcessGroup group, bool value)
    {
        if (group.Size == 1)
        {
            return value;
        }

        Span<double> votes = [value ? 0 : 1];
        group.AllReduceSum(votes);
        return votes[0] == 0;
    }

    /// <summary>
    /// Rank 0's metrics (or its null) on every rank, so that every rank's early stopping and best epoch follow the one
    /// validation rank 0 ran. Keys are <paramref name="keys"/>; a metric missing on rank 0 is an error there.
    /// </summary>
    public static SortedDictionary<string, double>? ShareFromRoot(this IProcessGroup group, SortedDictionary<string, double>? metrics, IReadOnlyList<string> keys)
    {
        if (group.Size == 1)
        {
            return metrics;
        }

        // [present, key values...]: the keys are agreed in advance, so only the values travel.
        var buffer = new double[keys.Count + 1];
        if (group.Rank == 0 && metrics is not null)
        {
            buffer[0] = 1;
            for (var i = 0; i < keys.Count; i++)
            {
                buffer[i + 1] = metrics[keys[i]];
            }
        }

        group.Broadcast(buffer);
        if (group.Rank == 0)
        {
            return metrics;
        }

        return buffer[0] == 0 ? null : new SortedDictionary<string, double>(keys.Select((key, i) => (key, buffer[i + 1])).ToDictionary(p => p.key, p => p.Item2), StringComparer.Ordinal);
    }
}
