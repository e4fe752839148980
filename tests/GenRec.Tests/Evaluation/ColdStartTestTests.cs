using GenRec.Data.Splits;
using GenRec.Evaluation;

namespace GenRec.Tests.Evaluation;

/// <summary>The simulated cold start: each user's first N history items only, and no model figure where the model has no input.</summary>
public sealed class ColdStartTestTests
{
    // Scores item (last history item + 1) highest, the others by distance to it; all items alike without a history.
    private static PeakScorer NextId() => new(6, c => c.History.Length == 0 ? null : c.History[^1] + 1);

    [Fact]
    public void TheModelSeesOnlyTheFirstItemsAndHasNoFigureWithoutAnyInput()
    {
        EvalCase[] test = [new(0, [1, 2, 3, 4], 2)];
        var options = new EvalOptions { Ks = [1, 5], FilterHistory = false };
        var popular = new FixedScorer([0, 1, 5, 4, 3, 2, 0]);                   // item 2 first
        var model = NextId();

        var rows = ColdStartTest.Run(model, modelReadsUserFeatures: false, popular, test, [0, 1, 3], options);

        Assert.Equal([0, 1, 3], rows.Select(r => r.HistoryItems));
        Assert.Null(rows[0].Model);                                              // no items, no features: constant scores
        Assert.Contains("no input", rows[0].ModelAbsent);
        Assert.Equal(1.0, rows[0].MostPopular["hr@1"]);                          // most-popular needs no history
        Assert.Equal(1.0, rows[1].Model!["hr@1"]);                               // history [1]: item 2 first
        Assert.Equal(0.0, rows[2].Model!["hr@1"]);                               // history [1, 2, 3]: 4, then 3 and 5, then 2
        Assert.Equal(1.0, rows[2].Model!["hr@5"]);
        Assert.Equal(3, model.Batches.SelectMany(b => b).Max());                               // never the fourth item

        var withFeatures = ColdStartTest.Run(NextId(), modelReadsUserFeatures: true, popular, test, [0], options);
        Assert.Equal(0.0, withFeatures[0].Model!["hr@1"]);                       // a figure: tie order puts item 1 before 2
        Assert.Null(withFeatures[0].ModelAbsent);
    }

    [Fact]
    public void HistoryLengthsAreParsedWithErrorsNamingTheOption()
    {
        Assert.Equal([0, 1, 3], ColdStartTest.ParsePrefixes(" 0, 1,3 ", "--cold-start"));
        Assert.Equal("--cold-start: '-1' is not a whole number of history items (0 or more)", Assert.Throws<ArgumentException>(() => ColdStartTest.ParsePrefixes("0,-1", "--cold-start")).Message);
        Assert.Contains("--cold-start: 'x'", Assert.Throws<ArgumentException>(() => ColdStartTest.ParsePrefixes("x", "--cold-start")).Message);
        Assert.Contains("no history lengths", Assert.Throws<ArgumentException>(() => ColdStartTest.ParsePrefixes(" , ", "--cold-start")).Message);
    }
}
