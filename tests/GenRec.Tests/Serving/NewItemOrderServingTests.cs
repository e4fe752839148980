using GenRec.AspNetCore;
using GenRec.Configuration;
using GenRec.Serving;
using GenRec.Tests.Training;
using GenRec.Training;

namespace GenRec.Tests.Serving;

/// <summary>Serving with places kept for added items, by text (the default) or by the model's score.</summary>
public class NewItemOrderServingTests
{
    [Fact]
    public void PlacingByTextWithoutTheItemsTextIsAClearErrorAndTheModelsOrderStillServes()
    {
        // A log with no item text (no titles anywhere), saved where the checkpoint records it.
        using var dir = new TempDir();
        var data = Datasets.FromInteractions("cycle", GenRec.Tests.Api.PublicApiTests.CycleLog());
        var grd = Path.Combine(dir.Path, "cycle.grd");
        Datasets.Save(data, grd);
        var result = Trainer.Run(TrainingTests.SmallRun(1) with { Data = new DataConfig { Path = grd } }, Datasets.Load(grd), Path.Combine(dir.Path, "run"));
        var lines = new List<string>();

        var error = Assert.Throws<InvalidDataException>(() => { ServedModels.Start(new GenRecServingOptions { Checkpoint = result.Checkpoint, NewItemShare = 0.1 }, (_, line) => lines.Add(line)); });
        Assert.Contains("--new-item-order model", error.Message, StringComparison.Ordinal);
        Assert.Contains("--catalog-text-embeddings", error.Message, StringComparison.Ordinal);

        var host = ServedModels.Start(new GenRecServingOptions { Checkpoint = result.Checkpoint, NewItemShare = 0.1, NewItemOrder = "model" }, (_, line) => lines.Add(line));
        Assert.Null(Assert.IsType<RetrievalEngine>(host.Current.Engine).ItemText);
        Assert.NotEmpty(host.Current.Engine.Recommend([1, 2], 5));
        host.Current.Engine.Dispose();
        Assert.Throws<ArgumentException>(() => { ServedModels.Start(new GenRecServingOptions { Checkpoint = result.Checkpoint, NewItemOrder = "popularity" }, (_, line) => lines.Add(line)); });
    }
}
