using GenRec.Data;
using GenRec.Data.Splits;

namespace GenRec.Tests.Catalog;

/// <summary>TIGER's cold-start split: the cold items are test targets only, nowhere else, drawn from the seed.</summary>
public class ColdItemsTests
{
    private static SequenceDataset Data()
    {
        var random = new Random(3);
        var interactions = Enumerable.Range(1, 60).SelectMany(u => Enumerable.Range(0, 6).Select(t => new Interaction($"u{u}", $"i{1 + random.Next(40)}", (u * 100) + t))).ToList();
        return Datasets.FromInteractions("tiny", interactions);
    }

    [Fact]
    public void ChoosesTheShareOfDistinctTestTargetsFromTheSeed()
    {
        var data = Data();
        var split = SequenceSplit.Create(data, SplitKind.LeaveOneOut);
        var targets = split.Test.Select(c => c.Target).Distinct().Count();
        var cold = ColdItems.Choose(split, data.NumItems, 0.25, seed: 7);
        Assert.Equal((int)Math.Round(0.25 * targets, MidpointRounding.AwayFromZero), cold.Count(c => c));
        Assert.All(Enumerable.Range(0, cold.Length).Where(i => cold[i]), i => Assert.Contains(split.Test, c => c.Target == i));
        Assert.Equal(cold, ColdItems.Choose(split, data.NumItems, 0.25, seed: 7));
        Assert.NotEqual(cold, ColdItems.Choose(split, data.NumItems, 0.25, seed: 8));
        Assert.Single(ColdItems.Choose(split, data.NumItems, 0.0001, seed: 7), c => c);   // a positive share takes at least one
        Assert.DoesNotContain(ColdItems.Choose(split, data.NumItems, 0, seed: 7), c => c);
        Assert.Contains("cold_item_share", Assert.Throws<ArgumentOutOfRangeException>(() => ColdItems.Choose(split, data.NumItems, 1, 7)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ColdItemsAppearOnlyAsTestTargetsAndTheRestIsUntouched()
    {
        var data = Data();
        var (split, cold) = ColdItems.Split(data, SplitKind.LeaveOneOut, 0.3, seed: 1);
        var full = SequenceSplit.Create(data, SplitKind.LeaveOneOut);
        Assert.DoesNotContain(split.Train.SelectMany(s => s), i => cold[i]);
        Assert.DoesNotContain(split.Valid, c => cold[c.Target] || c.History.Any(i => cold[i]));
        Assert.DoesNotContain(split.Test, c => c.History.Any(i => cold[i]));
        Assert.Contains(split.Test, c => cold[c.Target]);
        for (var u = 0; u < data.NumUsers; u++)
        {
            Assert.Equal(full.Train[u].Where(i => !cold[i]), split.Train[u]);                 // order kept, only cold removed
            Assert.Equal(full.TrainTimestamps![u].Where((_, t) => !cold[full.Train[u][t]]), split.TrainTimestamps![u]);
        }

        foreach (var c in split.Test)
        {
            var before = full.Test.Single(f => f.User == c.User);
            Assert.Equal(before.Target, c.Target);
            Assert.Equal(before.History.Where(i => !cold[i]), c.History);
            Assert.Equal(c.History.Length, c.HistoryTimestamps!.Length);
        }

        Assert.Equal(full.Valid.Count(c => !cold[c.Target]), split.Valid.Length);
    }
}
