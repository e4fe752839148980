using GenRec.Scoring;
using GenRec.Checkpoints;
using GenRec.Configuration;
using GenRec.Data;
using GenRec.Data.Preparation;
using GenRec.Data.Splits;
using GenRec.Evaluation;
using GenRec.Models;
using GenRec.Models.Baselines;
using GenRec.Training;

namespace GenRec.Tests.Training;

public class TrainingTests
{
    /// <summary>
    /// Planted structure: each user walks a cycle over the items from a random start, so item t+1
    /// follows item t. Timed: one hour between steps and a random 1-5 rating per step (for HSTU's time
    /// bias and the rated preprocessors).
    /// </summary>
    internal static SequenceDataset CycleDataset(int users = 120, int items = 40, int seed = 3, bool timed = false, int maxLength = 16)
    {
        var rng = new Random(seed);
        var log = new InteractionLog("synthetic", hasRatings: timed, hasTimestamps: timed);
        for (var u = 0; u < users; u++)
        {
            var start = rng.Next(items);
            var t0 = timed ? 1_000_000_000L + rng.Next(1_000_000) : 0;
            var length = rng.Next(8, maxLength);
            for (var t = 0; t < length; t++)
            {
                var item = $"{((start + t) % items) + 1}";
                if (timed)
                {
                    log.Add($"{u}", item, rating: 1 + rng.Next(5), timestamp: t0 + (t * 3600L));
                }
                else
                {
                    log.Add($"{u}", item);
                }
            }
        }

        return DatasetPreparer.Prepare("cycle", log, new PrepareOptions(), null, "synthetic");
    }

    internal static RunConfig SmallRun(int epochs) => new()
    {
        Name = "test",
        Seed = 7,
        Model = new ModelConfig { EmbeddingDim = 16, MaxSequenceLength = 16, FfnHiddenDim = 16, NumBlocks = 1, Dropout = 0.1 },
        Train = new TrainConfig { BatchSize = 32, Epochs = epochs, NumNegatives = 16, Temperature = 0.1, LearningRate = 5e-3, Patience = 0, EvalEvery = 1 },
    };

    [Fact]
    public void LossFallsAndTheModelLearnsPlantedTransitions()
    {
        using var dir = new TempDir();
        var data = CycleDataset();
        var result = Trainer.Run(SmallRun(12), data, dir.Path);
        var log = File.ReadAllLines(Path.Combine(dir.Path, "metrics.jsonl")).Select(l => System.Text.Json.JsonSerializer.Deserialize<EpochRecord>(l, RunConfig.Json)!).ToArray();
        Assert.Equal(12, log.Length);
        Assert.True(log[^1].TrainLoss < log[0].TrainLoss * 0.6, $"loss {log[0].TrainLoss} -> {log[^1].TrainLoss}");
        var popularity = Evaluator.Evaluate(new MostPopular(SequenceSplit.Create(data, SplitKind.LeaveOneOut).Train, data.NumItems), SequenceSplit.Create(data, SplitKind.LeaveOneOut).Test).Metrics;
        Assert.True(result.Test["hr@1"] > 0.5, $"hr@1 {result.Test["hr@1"]}");
        Assert.True(result.Test["ndcg@10"] > popularity["ndcg@10"] + 0.3);
        Assert.True(File.Exists(Path.Combine(dir.Path, "curve.png")));
        Assert.True(File.Exists(Path.Combine(dir.Path, "result.json")));
    }

    [Fact]
    public void SameSeedGivesSameMetricsAndResumeEqualsAStraightRun()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        var data = CycleDataset(users: 60);
        var straight = Trainer.Run(SmallRun(4), data, a.Path);
        var again = Trainer.Run(SmallRun(4), data, b.Path);
        Assert.Equal(straight.Test, again.Test);

        using var c = new TempDir();
        Trainer.Run(SmallRun(2), data, c.Path);
        var resumed = Trainer.Run(SmallRun(4), data, c.Path, resume: true);
        Assert.Equal(4, resumed.EpochsRun);
        Assert.Equal(straight.Test, resumed.Test);
    }

    [Fact]
    public void CheckpointRoundTripGivesTheSameScores()
    {
        using var dir = new TempDir();
        var data = CycleDataset(users: 40);
        var result = Trainer.Run(SmallRun(2), data, dir.Path);
        var (model, header) = RetrievalCheckpoint.LoadModel(result.Checkpoint);
        Assert.Equal(data.NumItems, header.NumItems);
        var cases = SequenceSplit.Create(data, SplitKind.LeaveOneOut).Test;
        var reloaded = Evaluator.Evaluate(new ModelScorer(model), cases).Metrics;
        Assert.Equal(result.Test, reloaded);
    }

    [Fact]
    public void InterruptedRunStopsCleanly()
    {
        using var dir = new TempDir();
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var result = Trainer.Run(SmallRun(3), CycleDataset(users: 40), dir.Path, cancel: cancel.Token);
        Assert.True(result.Interrupted);
        Assert.Equal(0, result.EpochsRun);
        Assert.Equal("interrupted", result.StopReason);
    }
}
