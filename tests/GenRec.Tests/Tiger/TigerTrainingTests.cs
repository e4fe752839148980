using GenRec.Models.Tiger;
using GenRec.Tests.Training;
using GenRec.Training;
using GenRec.Training.Tiger;

namespace GenRec.Tests.Tiger;

/// <summary>TIGER end to end on planted transitions: it learns them, generates only real items, and a rerun with the same seed agrees.</summary>
public class TigerTrainingTests
{
    [Fact]
    public void LearnsPlantedTransitionsWithConstrainedGeneration()
    {
        using var dir = new TempDir();
        var data = TrainingTests.CycleDataset(users: 80, items: 20, seed: 9);
        var ids = SemanticIdFile.Random(data.NumItems, levels: 2, codebookSize: 4, seed: 1);
        var run = new TigerRunConfig
        {
            Seed = 3,
            Model = new TigerConfig { EncoderLayers = 1, DecoderLayers = 1, NumHeads = 2, HeadDim = 8, ModelDim = 32, FfnDim = 64, Dropout = 0.0, MaxHistory = 5, UserBuckets = 10 },
            Train = new TigerTrainConfig { BatchSize = 64, LearningRate = 5e-3, WarmupSteps = 10, Epochs = 12, Patience = 0, Beams = 10, MaxValidationUsers = 0 },
        };
        var result = TigerTrainer.Run(run, data, ids, dir.Path, resume: false, new SilentObserver());
        Assert.True(result.Test["recall@10"] > 0.8, $"recall@10 {result.Test["recall@10"]:F3}");
        Assert.True(result.Test["ndcg@10"] > 0.5, $"ndcg@10 {result.Test["ndcg@10"]:F3}");
        Assert.Equal(0, result.Test["invalid_id_share"]);
        Assert.True(File.Exists(Path.Combine(dir.Path, "best.ckpt")));

        using var again = new TempDir();
        Assert.Equal(result.Test, TigerTrainer.Run(run, data, ids, again.Path, resume: false, new SilentObserver()).Test);
    }
}
