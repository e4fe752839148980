namespace GenRec.Data.Splits;

/// <summary>
/// TIGER's cold-start protocol (Rajput et al., 2023, section 4.3): a seeded share of the items that are test targets is
/// removed from training. Every interaction with them leaves the training sequences and the validation and test
/// histories, and a validation case whose target is cold is dropped (so is a case with nothing left in its history); test cases keep their targets, so a user whose
/// next item is cold can only be served through the catalogue path (the item named by its content), as an item that
/// arrives after training is.
/// </summary>
internal static class ColdItems
{
    /// <summary>
    /// The cold items: <c>round(share x distinct test targets)</c> of them (at least one when the share is positive),
    /// drawn with the seed. [numItems + 1], true for a cold item.
    /// </summary>
    public static bool[] Choose(SequenceSplit split, int numItems, double share, int seed)
    {
        if (share is < 0 or >= 1 || double.IsNaN(share))
        {
            throw new ArgumentOutOfRangeException(nameof(share), share, "data.cold_item_share: give a share in [0, 1), e.g. 0.05");
        }

        var targets = split.Test.Select(c => c.Target).Distinct().Order().ToArray();
        var count = share == 0 ? 0 : Math.Max(1, (int)Math.Round(share * targets.Length, MidpointRounding.AwayFromZero));
        new Random(seed).Shuffle(targets);
        var cold = new bool[numItems + 1];
        foreach (var item in targets.Take(count))
        {
            cold[item] = true;
        }

        return cold;
    }

    /// <summary>The split without the cold items anywhere but in the test targets.</summary>
    public static SequenceSplit Remove(SequenceSplit split, bool[] cold)
    {
        var train = new int[split.Train.Length][];
        var trainTimestamps = split.TrainTimestamps is null ? null : new long[split.Train.Length][];
        var trainRatings = split.TrainRatings is null ? null : new float[split.Train.Length][];
        for (var u = 0; u < split.Train.Length; u++)
        {
            var keep = Warm(split.Train[u], cold);
            train[u] = Pick(split.Train[u], keep);
            if (trainTimestamps is not null)
            {
                trainTimestamps[u] = Pick(split.TrainTimestamps![u], keep);
            }

            if (trainRatings is not null)
            {
                trainRatings[u] = Pick(split.TrainRatings![u], keep);
            }
        }

        // A case whose whole history was cold has nothing left to read: no sequential model can serve it, so it goes.
        var valid = split.Valid.Where(c => !cold[c.Target]).Select(c => WithoutCold(c, cold)).Where(c => c.History.Length > 0).ToArray();
        var test = split.Test.Select(c => WithoutCold(c, cold)).Where(c => c.History.Length > 0).ToArray();
        return new SequenceSplit(split.Kind, train, trainTimestamps, trainRatings, valid, test, split.UsersTooShort);
    }

    /// <summary>The split of a dataset under the protocol, and the cold items ([numItems + 1], true for cold).</summary>
    public static (SequenceSplit Split, bool[] Cold) Split(SequenceDataset data, SplitKind kind, double share, int seed)
    {
        var split = SequenceSplit.Create(data, kind);
        var cold = Choose(split, data.NumItems, share, seed);
        return (share == 0 ? split : Remove(split, cold), cold);
    }

    private static EvalCase WithoutCold(EvalCase c, bool[] cold)
    {
        var keep = Warm(c.History, cold);
        return c with
        {
            History = Pick(c.History, keep),
            HistoryTimestamps = c.HistoryTimestamps is null ? null : Pick(c.HistoryTimestamps, keep),
            HistoryRatings = c.HistoryRatings is null ? null : Pick(c.HistoryRatings, keep),
        };
    }

    private static bool[] Warm(int[] items, bool[] cold) => [.. items.Select(i => !cold[i])];

    private static T[] Pick<T>(T[] values, bool[] keep) => [.. values.Where((_, i) => keep[i])];
}
