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
    public void EveryInteractionAfterTheCutIsATargetWithTheKnownItemsBeforeIt()
    {
        (string, string, long)[] rows =
        [
            ("x", "a", 1), ("x", "b", 2), ("x", "new", 3), ("x", "c", 6), ("x", "late", 7), ("x", "a", 8), // 3 in the period
            ("y", "b", 1), ("y", "late", 5),                                              // a target unknown at the cut
            ("z", "c", 2), ("z", "a", 3),                                                 // nothing after the cut
            ("w", "a", 8), ("w", "b", 9),                                                 // arrived in the period: tested from its second
            ("v", "c", 1), ("v", "b", 4),
        ];
        var model = Prepare(new PrepareOptions { Until = 5 }, rows);                       // the catalogue at the cut
        var whole = Prepare(new PrepareOptions(), rows);
        Assert.False(model.ItemIds.ContainsKey("late"));

        var period = NextPeriod.Create(model, whole, from: 5);

        Assert.Equal(3, period.UsersInPeriod);                                             // x, y, w
        Assert.Equal(6, period.Interactions);                                              // x: c, late, a; y: late; w: a, b
        Assert.Equal(2, period.TargetsOutside);                                            // the two "late"
        int Id(string key) => model.ItemIds[key];
        var cases = period.Cases.Select(c => (c.User, History: string.Join(",", c.History), c.Target, c.TargetTimestamp)).ToArray();
        Assert.Equal(
            [
                (-1, Id("a").ToString(System.Globalization.CultureInfo.InvariantCulture), Id("b"), 9L),      // w: unknown to the model
                (model.UserIds["x"], string.Join(",", Id("a"), Id("b"), Id("new")), Id("c"), 6L),
                (model.UserIds["x"], string.Join(",", Id("a"), Id("b"), Id("new"), Id("c")), Id("a"), 8L), // "late" read as nothing
            ],
            cases);                                                                        // users in the log's order (v, w, x, y, z)
        Assert.Equal([1L, 2L, 3L], period.Cases[1].HistoryTimestamps!);
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
