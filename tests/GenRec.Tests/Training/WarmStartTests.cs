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
    public void NewAndNeverTrainedItemsStartFromTheirTextsNeighboursAmongTheKnownRows()
    {
        // The old run left a share of its items out of training (cold): they count as new, as do items it never had.
        using var dir = new TempDir();
        var old = TrainingTests.CycleDataset(users: 40, items: 20);
        var config = TrainingTests.SmallRun(1) with { Data = new DataConfig { ColdItemShare = 0.3 } };
        var checkpoint = Trainer.Run(config, old, dir.Path).Checkpoint;
        using var opened = GenRec.Checkpoints.Checkpoint.Open(checkpoint, new() { Dataset = old, WithCatalog = false });
        using var trained = opened.TakeRetrieval("test");
        var (oldSplit, cold) = Trainer.SplitOf(old, config);
        var wasTrained = new bool[old.NumItems + 1];
        foreach (var item in oldSplit.Train.SelectMany(s => s))
        {
            wasTrained[item] = true;
        }

        Assert.Contains(true, cold);
        var newer = Newer(old);
        var random = new Random(4);
        var text = Enumerable.Range(0, (newer.NumItems + 1) * 6).Select(i => i < 6 ? 0f : (float)random.NextDouble() - 0.5f).ToArray();
        manual_seed(9);
        using var model = new SequentialRecommender(config.Model, newer.NumItems);
        var said = WarmStart.Apply(model, newer, checkpoint, old, (text, 6));

        var known = Enumerable.Range(1, newer.NumItems).Where(i => old.ItemIds.TryGetValue(newer.ItemKeys[i], out var j) && wasTrained[j]).ToArray();
        var fresh = Enumerable.Range(1, newer.NumItems).Except(known).ToArray();
        Assert.Contains(fresh, i => old.ItemIds.ContainsKey(newer.ItemKeys[i]));                 // a cold item of the old run
        Assert.Contains($"{fresh.Length:N0} new items start from their text", said, StringComparison.Ordinal);
        float[] Text(int item) => text[(item * 6)..((item + 1) * 6)];
        static double Cosine(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum() / Math.Sqrt(a.Sum(x => (double)x * x) * b.Sum(y => (double)y * y));
        foreach (var item in fresh)
        {
            // Brute force: the 10 known items most similar by text, weighted softmax(cos / 0.05), over the old rows.
            var nearest = known.Select(k => (k, cos: Cosine(Text(item), Text(k)))).OrderByDescending(p => p.cos).Take(10).ToArray();
            var weights = nearest.Select(p => Math.Exp((p.cos - nearest[0].cos) / 0.05)).ToArray();
            var expected = zeros(config.Model.EmbeddingDim, dtype: float64);
            for (var n = 0; n < nearest.Length; n++)
            {
                expected += trained.IdEmbeddings[old.ItemIds[newer.ItemKeys[nearest[n].k]]].to(float64) * (weights[n] / weights.Sum());
            }

            Assert.True(model.IdEmbeddings[item].to(float64).allclose(expected, rtol: 1e-4, atol: 1e-5), $"item {newer.ItemKeys[item]}");
        }

        foreach (var item in known)
        {
            Assert.True(model.IdEmbeddings[item].allclose(trained.IdEmbeddings[old.ItemIds[newer.ItemKeys[item]]]), $"item {newer.ItemKeys[item]} keeps its row");
        }
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
