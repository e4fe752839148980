using GenRec.Catalog;
using GenRec.Checkpoints;
using GenRec.Data;
using GenRec.Models;
using GenRec.Scoring;
using GenRec.Serving;
using GenRec.Text;
using GenRec.Training;

namespace GenRec.Tests.Catalog;

/// <summary>
/// <c>genrec catalog add</c>: new items join a trained model from their text; every opener sees them; adds are
/// idempotent and all or nothing; bad items are refused by name; a catalogue never meets another checkpoint.
/// </summary>
public class CatalogAddTests
{
    private static (string, ItemMetadata)[] Items(params (string Key, string Title)[] items) =>
        [.. items.Select(i => (i.Key, new ItemMetadata(i.Title, [])))];

    private static CatalogAdd.Outcome Add(string checkpoint, SequenceDataset data, params (string Key, string Title)[] items)
    {
        using var opened = Checkpoint.Open(checkpoint, new() { Dataset = data });
        using var model = opened.TakeRetrieval("test");
        return CatalogAdd.Run(checkpoint, model, opened.Dataset, Items(items), new CatalogFixtures.BagOfWords(), null, ContentMappingKind.Ridge, seed: 1);
    }

    [Fact]
    public void AddedItemsAreInEveryOpenedModelAndRecommendable()
    {
        using var dir = new TempDir();
        var (checkpoint, data) = CatalogFixtures.Trained(dir);
        var outcome = Add(checkpoint, data, ("new-a", "item colour 1 shape 2"), ("new-b", "item colour 3 shape 0"));
        Assert.Equal((2, 0), (outcome.Added, outcome.AlreadyThere));

        using var opened = Checkpoint.Open(checkpoint, new() { Dataset = data });
        using var model = opened.TakeRetrieval("test");
        Assert.Equal(data.NumItems + 2, model.NumItems);
        Assert.Equal(data.NumItems + 1, opened.Dataset.ItemIds["new-a"]);
        Assert.Equal("item colour 3 shape 0", opened.Dataset.Items[data.NumItems + 2]!.Title);
        var recommender = new TopKRecommender(new ModelScorer(model), opened.Dataset);
        var everything = recommender.Recommend(recommender.ItemsOf(["new-a", "1", "2"]), opened.Dataset.NumItems - 3);   // a history may hold a new item
        Assert.Contains(everything, r => r.Key == "new-b");                                   // and new items are ranked
    }

    [Fact]
    public void ReAddingIsIdempotentAndABadBatchWritesNothing()
    {
        using var dir = new TempDir();
        var (checkpoint, data) = CatalogFixtures.Trained(dir);
        Add(checkpoint, data, ("new-a", "item colour 1 shape 2"));
        var file = ItemCatalog.PathOf(checkpoint);
        var before = File.ReadAllBytes(file);

        var again = Add(checkpoint, data, ("new-a", "item colour 1 shape 2"));
        Assert.Equal((0, 1), (again.Added, again.AlreadyThere));
        Assert.Equal(before, File.ReadAllBytes(file));

        // One bad item in a batch: nothing of the batch is added.
        Assert.Contains("different item", Assert.Throws<CatalogConflictException>(() => Add(checkpoint, data, ("new-c", "fine text"), ("new-a", "other text"))).Message, StringComparison.Ordinal);
        Assert.Contains("appears twice", Assert.Throws<ArgumentException>(() => Add(checkpoint, data, ("new-d", "x y"), ("new-d", "x y"))).Message, StringComparison.Ordinal);
        Assert.Contains("trained on", Assert.Throws<CatalogConflictException>(() => Add(checkpoint, data, ("new-e", "x"), (data.ItemKeys[3], "x"))).Message, StringComparison.Ordinal);
        Assert.Contains("'new-f': no text", Assert.Throws<ArgumentException>(() => Add(checkpoint, data, ("new-f", "  "))).Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(file));
    }

    [Fact]
    public void ACatalogueMadeForAnotherCheckpointIsRefused()
    {
        using var dir = new TempDir();
        var (checkpoint, data) = CatalogFixtures.Trained(dir);
        Add(checkpoint, data, ("new-a", "item colour 1 shape 2"));
        Trainer.Run(GenRec.Tests.Training.TrainingTests.SmallRun(1) with { Seed = 99 }, data, dir.Path);   // retrained: another best.ckpt under it

        Assert.Contains("another version", Assert.Throws<InvalidDataException>(() => Checkpoint.Open(checkpoint, new() { Dataset = data })).Message, StringComparison.Ordinal);
    }
}
