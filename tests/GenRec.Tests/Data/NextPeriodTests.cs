using GenRec.Data;
using GenRec.Data.Preparation;
using GenRec.Data.Splits;

namespace GenRec.Tests.Data;

/// <summary>The next-period test: each user's first interaction after the cut, read against the model's catalogue.</summary>
public sealed class NextPeriodTests
{
    private static SequenceDataset Prepare(PrepareOptions options, params (string U, string I, long T)[] rows)
    {
        var log = new InteractionLog("log", hasRatings: false, hasTimestamps: true);
        foreach (var (u, i, t) in rows)
        {
            log.Add(u, i, 0f, t);
        }

        return DatasetPreparer.Prepare("log", log, options, null, "test");
    }

    [Fact]
    public void TargetsAreFirstItemsAfterTheCutAndHistoriesTheKnownItemsBefore()
    {
        (string, string, long)[] rows =
        [
            ("x", "a", 1), ("x", "b", 2), ("x", "new", 3), ("x", "c", 6), ("x", "a", 7),   // history a, b, new; target c
            ("y", "b", 1), ("y", "late", 5),                                              // target unknown at the cut: counted, left out
            ("z", "c", 2), ("z", "a", 3),                                                 // nothing after the cut
            ("w", "a", 8),                                                                // no history before the cut: left out
            ("v", "c", 1), ("v", "b", 4),
        ];
        var model = Prepare(new PrepareOptions { Until = 5 }, rows);                       // the catalogue at the cut
        var whole = Prepare(new PrepareOptions(), rows);
        Assert.False(model.ItemIds.ContainsKey("late"));

        var period = NextPeriod.Create(model, whole, from: 5);

        Assert.Equal(3, period.UsersInPeriod);                                             // x, y, w
        Assert.Equal(1, period.TargetsOutside);                                            // y's "late"
        var only = Assert.Single(period.Cases);
        Assert.Equal(model.UserIds["x"], only.User);
        Assert.Equal(model.ItemIds["c"], only.Target);
        Assert.Equal([model.ItemIds["a"], model.ItemIds["b"], model.ItemIds["new"]], only.History);
        Assert.Equal([1L, 2L, 3L], only.HistoryTimestamps!);
        Assert.Equal(6L, only.TargetTimestamp);
    }

    [Fact]
    public void ALogWithoutTimestampsIsAClearError()
    {
        var log = new InteractionLog("untimed", hasRatings: false, hasTimestamps: false);
        log.Add("x", "a");
        var data = DatasetPreparer.Prepare("untimed", log, new PrepareOptions(), null, "test");
        Assert.Contains("needs timestamps", Assert.Throws<InvalidDataException>(() => NextPeriod.Create(data, data, 5)).Message, StringComparison.Ordinal);
    }
}
