using GenRec.Data;
using GenRec.Data.Preparation;
using GenRec.Data.Splits;
using GenRec.Evaluation;
using GenRec.Models.Baselines;
using GenRec.Training;

namespace GenRec.Tests.Training;

public class EncoderTrainingTests
{
    /// <summary>The planted-cycle dataset with timestamps: one hour between steps, so HSTU's time bias is exercised.</summary>
    private static SequenceDataset TimedCycles(int users = 100, int items = 30, int seed = 5)
    {
        var rng = new Random(seed);
        var log = new InteractionLog("synthetic", hasRatings: false, hasTimestamps: true);
        for (var u = 0; u < users; u++)
        {
            var start = rng.Next(items);
            var t0 = 1_000_000_000L + rng.Next(1_000_000);
            for (var t = 0; t < rng.Next(8, 14); t++)
            {
                log.Add($"{u}", $"{((start + t) % items) + 1}", timestamp: t0 + (t * 3600L));
            }
        }

        return DatasetPreparer.Prepare("timed-cycle", log, new PrepareOptions(), null, "synthetic");
    }

    [Theory]
    [InlineData("hstu", "dot", 10)]
    [InlineData("gru4rec", "dot", 10)]
    [InlineData("bert4rec", "dot", 30)]
    [InlineData("sasrec", "mol", 10)]
    public void EachEncoderLearnsPlantedTransitions(string encoder, string similarity, int epochs)
    {
        using var dir = new TempDir();
        var data = TimedCycles();
        var run = TrainingTests.SmallRun(epochs) with { };
        run = run with
        {
            Model = run.Model with { Encoder = encoder, Similarity = similarity, NumHeads = 2, MolComponentDim = 8 },
            Train = run.Train with { MaskProbability = 0.4 },
        };
        var result = Trainer.Run(run, data, dir.Path);
        var log = File.ReadAllLines(Path.Combine(dir.Path, "metrics.jsonl")).Select(l => System.Text.Json.JsonSerializer.Deserialize<EpochRecord>(l, RunConfig.Json)!).ToArray();
        Assert.True(log[^1].TrainLoss < log[0].TrainLoss * 0.8, $"{encoder}: loss {log[0].TrainLoss} -> {log[^1].TrainLoss}");
        var split = SequenceSplit.Create(data, SplitKind.LeaveOneOut);
        var popularity = Evaluator.Evaluate(new MostPopular(split.Train, data.NumItems), split.Test).Metrics;
        Assert.True(result.Test["ndcg@10"] > popularity["ndcg@10"] + 0.2, $"{encoder}: ndcg@10 {result.Test["ndcg@10"]:F3} vs popularity {popularity["ndcg@10"]:F3}");

        var (model, _) = Checkpoint.LoadModel(result.Checkpoint);
        Assert.Equal(result.Test, Evaluator.Evaluate(new ModelScorer(model), split.Test).Metrics); // save/load round trip
    }
}
