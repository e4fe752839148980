using GenRec.Configuration;
using GenRec.Data;
using GenRec.Data.Preparation;
using GenRec.Models;
using GenRec.Training;
using static TorchSharp.torch;

namespace GenRec.Tests.Training;

/// <summary><c>train.init_from</c>: a model updated on a newer log starts from the earlier checkpoint, item by item id.</summary>
public class WarmStartTests
{
    // A newer log: the old users and items in another order of appearance, and new items the old model never saw.
    private static SequenceDataset Newer(SequenceDataset old)
    {
        var log = new InteractionLog("newer", hasRatings: false, hasTimestamps: false);
        for (var u = 0; u < 30; u++)
        {
            log.Add($"new-user-{u}", $"new-{u % 5}");
            log.Add($"new-user-{u}", $"new-{(u + 1) % 5}");
        }

        for (var u = old.NumUsers - 1; u >= 0; u--)
        {
            foreach (var item in old.Sequences[u])
            {
                log.Add(old.UserKeys[u], old.ItemKeys[item]);
            }
        }

        return DatasetPreparer.Prepare("newer", log, new PrepareOptions(), null, "synthetic");
    }

    [Theory]
    [InlineData("sasrec")]
    [InlineData("bert4rec")]
    public void KnownItemsKeepTheirRowsByIdAndEveryOtherWeightIsCopied(string encoder)
    {
        using var dir = new TempDir();
        var old = TrainingTests.CycleDataset(users: 40, items: 20);
        var config = TrainingTests.SmallRun(1) with { Model = TrainingTests.SmallRun(1).Model with { Encoder = encoder } };
        var checkpoint = Trainer.Run(config, old, dir.Path).Checkpoint;
        using var opened = GenRec.Checkpoints.Checkpoint.Open(checkpoint, new() { Dataset = old });
        using var trained = opened.TakeRetrieval("test");

        var newer = Newer(old);
        manual_seed(9);
        using var fresh = new SequentialRecommender(config.Model, newer.NumItems);
        manual_seed(9);
        using var model = new SequentialRecommender(config.Model, newer.NumItems);
        var said = WarmStart.Apply(model, newer, checkpoint, old);

        Assert.Contains($"{old.NumItems:N0} of {newer.NumItems:N0} items", said, StringComparison.Ordinal);
        foreach (var key in old.ItemKeys.Skip(1))
        {
            Assert.True(model.IdEmbeddings[newer.ItemIds[key]].allclose(trained.IdEmbeddings[old.ItemIds[key]]), $"item {key} keeps its row");
        }

        Assert.True(model.IdEmbeddings[newer.ItemIds["new-3"]].allclose(fresh.IdEmbeddings[newer.ItemIds["new-3"]]), "a new item starts as a fresh run starts it");
        if (!model.IsCausal)
        {
            Assert.True(model.EmbedItems(tensor(new[] { model.MaskToken })).allclose(trained.EmbedItems(tensor(new[] { trained.MaskToken }))), "[mask] comes along");
        }

        var copied = trained.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.All(model.named_parameters().Where(p => !p.name.StartsWith("items.", StringComparison.Ordinal)), p => Assert.True(p.parameter.allclose(copied[p.name]), p.name));
    }

    [Fact]
    public void AnotherModelConfigIsRefusedByTheWeightThatDiffers()
    {
        using var dir = new TempDir();
        var old = TrainingTests.CycleDataset(users: 40, items: 20);
        var checkpoint = Trainer.Run(TrainingTests.SmallRun(1), old, Path.Combine(dir.Path, "old")).Checkpoint;
        var wider = TrainingTests.SmallRun(1).Model with { FfnHiddenDim = 24 };
        using var model = new SequentialRecommender(wider, old.NumItems);
        Assert.Contains("same model config", Assert.Throws<InvalidOperationException>(() => WarmStart.Apply(model, old, checkpoint, old)).Message, StringComparison.Ordinal);
    }
}
