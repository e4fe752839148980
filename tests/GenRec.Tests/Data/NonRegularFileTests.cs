using GenRec.Configuration;
using System.Diagnostics;
using GenRec.Data;
using GenRec.AspNetCore;
using GenRec.Models;
using GenRec.Serving;
using GenRec.Tests.Training;

namespace GenRec.Tests.Data;

/// <summary>
/// Every route that opens a file refuses what is not a regular file before opening it: a dataset path (as recorded in a
/// checkpoint) naming a FIFO, a prepared dataset that is a FIFO, and a reload of the served file that became one.
/// </summary>
public class NonRegularFileTests
{
    private static string Fifo(TempDir dir, string name)
    {
        var path = Path.Combine(dir.Path, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var mkfifo = Process.Start("mkfifo", path)!;
        mkfifo.WaitForExit();
        return path;
    }

    /// <summary>Runs <paramref name="open"/> and expects a refusal within 10 s (a FIFO opened for reading would block forever).</summary>
    private static Exception RefusedQuickly(Action open)
    {
        var task = Task.Run(open);
        Assert.True(((IAsyncResult)task).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(10)), "opening hung: the FIFO was opened");
        return Assert.IsType<AggregateException>(task.Exception).InnerException!;
    }

    [Fact]
    public void ADatasetWhoseInteractionFileIsAFifoIsRefusedWithoutOpeningIt()
    {
        using var dir = new TempDir();
        Fifo(dir, "ml/ratings.dat");
        var error = RefusedQuickly(() => DatasetLoader.Load(new DatasetRequest(Path.Combine(dir.Path, "ml")) { CacheDir = null }));
        Assert.Contains("is not a regular file (a FIFO, socket or device)", error.Message);

        var prepared = Fifo(dir, "x.grd");
        Assert.Contains("prepared dataset", RefusedQuickly(() => DatasetLoader.Load(new DatasetRequest(prepared))).Message);
    }

    [Fact]
    public async Task AReloadOfTheServedFileThatBecameAFifoIsA422()
    {
        using var dir = new TempDir();
        var served = Fifo(dir, "served.ckpt");
        var data = TrainingTests.CycleDataset(users: 20, items: 30, seed: 2);
        var engine = new RetrievalEngine(new SequentialRecommender(TrainingTests.SmallRun(1).Model, 30), data, IndexKind.Exact, served);
        var host = new ModelHost(engine, null, path => throw new InvalidOperationException($"{path} was opened")) { Timeout = TimeSpan.FromSeconds(10) };
        var error = await Assert.ThrowsAsync<RequestException>(() => host.ReloadAsync(new ReloadRequest(), CancellationToken.None));
        Assert.Equal(422, error.StatusCode);
        Assert.Contains("not a regular file", error.Message);
    }
}
