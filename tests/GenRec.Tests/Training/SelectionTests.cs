using GenRec.Configuration;
using GenRec.Data.Splits;
using GenRec.Training;

namespace GenRec.Tests.Training;

/// <summary>Model selection for last_item runs without the test item, and per-epoch test metrics.</summary>
public sealed class SelectionTests
{
    [Fact]
    public void SecondToLastCasesComeFromTheTrainingSequencesOnly()
    {
        var data = TrainingTests.CycleDataset(users: 30, items: 20, seed: 5);
        var split = SequenceSplit.Create(data, SplitKind.LastItem);
        var cases = Trainer.SelectionCases(split, SelectOn.SecondToLast);
        Assert.Equal(split.Train.Count(t => t.Length >= 2), cases.Length);
        foreach (var c in cases)
        {
            var train = split.Train[c.User];
            Assert.Equal(train[^1], c.Target);                       // the last training item, never the test item
            Assert.Equal(train[..^1], c.History);
            Assert.Equal(data.Sequences[c.User][^2], c.Target);
        }

        Assert.Empty(Trainer.SelectionCases(split, SelectOn.Validation));
        Assert.Throws<ArgumentException>(() => Trainer.SelectionCases(SequenceSplit.Create(data, SplitKind.LeaveOneOut), SelectOn.SecondToLast));
    }

    [Fact]
    public void ALastItemRunSelectsOnSecondToLastAndRecordsEveryEpochsTest()
    {
        using var dir = new TempDir();
        var data = TrainingTests.CycleDataset(users: 60, items: 20, seed: 6);
        var run = TrainingTests.SmallRun(4) with
        {
            Data = new DataConfig { Split = SplitKind.LastItem },
            Train = TrainingTests.SmallRun(4).Train with { SelectOn = SelectOn.SecondToLast, TestEveryEpoch = true },
        };
        var result = Trainer.Run(run, data, dir.Path);
        var log = EpochLoop.ReadLog(Path.Combine(dir.Path, "metrics.jsonl")).ToArray();
        Assert.Equal(4, log.Length);
        Assert.Equal("epochs done", result.StopReason);
        Assert.All(log, e => Assert.NotNull(e.Validation));
        Assert.All(log, e => Assert.True(e.Test!.ContainsKey("ndcg@10")));
        Assert.InRange(result.BestEpoch, 1, 4);
        Assert.Equal(log[result.BestEpoch - 1].Test!["ndcg@10"], result.Test["ndcg@10"], 6);       // the selected epoch's test
        Assert.Equal(log.MaxBy(e => e.Validation!["ndcg@10"])!.Epoch, result.BestEpoch);
    }
}
