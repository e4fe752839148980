using GenRec.Configuration;
using GenRec.Data.Splits;
using GenRec.Models.Tiger;
using GenRec.Tests.Training;
using GenRec.Training;
using GenRec.Training.Tiger;

namespace GenRec.Tests.Tiger;

/// <summary>TIGER's cold-start setting: the rule that lets unseen items into the top K, and the test end to end.</summary>
public class TigerColdItemTests
{
    private static GeneratedId Beam(int item, params int[] codes) => new(codes, -1, item);

    [Fact]
    public void TheColdStartRuleAddsUnseenItemsSharingAGeneratedIdsCodesUpToItsQuota()
    {
        // Trained items 1..4; unseen items 11, 12 share codes (5, 6) with item 2, unseen 13 shares (7, 8) with item 4.
        GeneratedId[] beams = [Beam(1, 1, 1, 0), Beam(2, 5, 6, 0), Beam(3, 2, 2, 0), Beam(4, 7, 8, 0)];
        var unseen = new Dictionary<string, int[]> { ["5,6"] = [11, 12], ["7,8"] = [13], ["9,9"] = [14] };
        Assert.Equal([1, 2, 11, 3, 4], TigerColdItemTest.ColdStartRule(beams, unseen, prefixLength: 2, epsilon: 0.1, k: 10)); // floor(0.1 x 10) = 1
        Assert.Equal([1, 2, 11, 12, 3, 4, 13], TigerColdItemTest.ColdStartRule(beams, unseen, 2, epsilon: 0.3, k: 10));
        Assert.Equal([1, 2, 3, 4], TigerColdItemTest.ColdStartRule(beams, unseen, 2, epsilon: 0.1, k: 5)); // floor(0.5) = 0: none
        Assert.Equal([1, 2, 11], TigerColdItemTest.ColdStartRule(beams, unseen, 2, epsilon: 0.5, k: 3));    // the list stops at k
        // Matching one code fewer reaches an unseen item whose last code differs.
        var byFirstCode = new Dictionary<string, int[]> { ["1"] = [15] };
        Assert.Equal([1, 15, 2, 3, 4], TigerColdItemTest.ColdStartRule(beams, byFirstCode, prefixLength: 1, epsilon: 0.1, k: 10));
    }

    [Fact]
    public void ColdItemsAreTestedApartThroughTheClosedAndTheExtendedTrie()
    {
        using var dir = new TempDir();
        var data = TrainingTests.CycleDataset(users: 120, items: 30, seed: 4);
        var ids = SemanticIdFile.Random(data.NumItems, levels: 2, codebookSize: 4, seed: 1);
        var run = TigerTrainingTests.TinyRun(seed: 3, epochs: 4) with { Data = new DataConfig { Path = "unused", ColdItemShare = 0.2 } };
        var text = (new float[(data.NumItems + 1) * 3].Select((_, i) => (float)Math.Sin(i)).ToArray(), 3);
        var result = TigerTrainer.Run(run, data, ids, dir.Path, resume: false, new SilentObserver(), coldItemText: text);
        var (split, cold) = ColdItems.Split(data, GenRec.Data.Splits.SplitKind.LeaveOneOut, 0.2, run.Seed);
        var report = Assert.IsType<TigerColdItemTest.Report>(result.ColdItems);
        Assert.Equal(cold.Count(c => c), report.ColdItems);
        Assert.Equal(split.Test.Count(c => cold[c.Target]), report.ColdCases);
        Assert.Equal(split.Test.Length - report.ColdCases, report.WarmCases);
        Assert.True(report.ColdCases > 0);
        var arms = report.Arms.ToDictionary(a => a.Name);
        Assert.Equal(0, arms["tiger-closed-trie"].Cold["hr@10"]);      // beams over the trained items cannot name a cold one
        Assert.Contains("tiger-extended-trie", arms.Keys);
        Assert.Contains("tiger-cold-start-rule-eps0.1", arms.Keys);
        Assert.Contains("text-knn", arms.Keys);
        Assert.Contains(arms.Values, a => a.Warm["hr@10"] > 0);
        Assert.True(File.ReadAllText(Path.Combine(dir.Path, "result.json")).Contains("cold_items", StringComparison.Ordinal));
    }
}
