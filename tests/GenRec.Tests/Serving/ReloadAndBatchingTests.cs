using GenRec.Configuration;
using GenRec.Checkpoints;
using System.Text;
using GenRec.AspNetCore;
using GenRec.Data.Splits;
using GenRec.Models;
using GenRec.Serving;
using GenRec.Tests.Training;
using GenRec.Training;
using static TorchSharp.torch;

namespace GenRec.Tests.Serving;

/// <summary>The pieces behind a safe reload and batched serving, without HTTP.</summary>
public sealed class ReloadAndBatchingTests
{
    private readonly GenRec.Data.SequenceDataset data = TrainingTests.CycleDataset(users: 40, items: 30, seed: 11);

    private RetrievalEngine Engine(int seed, string source)
    {
        manual_seed(seed);
        return new RetrievalEngine(new SequentialRecommender(TrainingTests.SmallRun(1).Model, 30), data, IndexKind.Exact, source);
    }

    [Fact]
    public async Task ASecondReloadWhileOneRunsIs409AndATimedOutLoadKeepsTheOldModel()
    {
        using var gate = new ManualResetEventSlim();
        var host = new ModelHost(Engine(1, "first"), null, path =>
        {
            if (path == "slow")
            {
                gate.Wait();
            }

            return Engine(2, path);
        })
        { Timeout = TimeSpan.FromMilliseconds(300) };

        var slow = host.ReloadAsync(new ReloadRequest("slow"), CancellationToken.None);
        await Task.Delay(50);
        Assert.Equal(409, (await Assert.ThrowsAsync<RequestException>(() => host.ReloadAsync(new ReloadRequest("fast"), CancellationToken.None))).StatusCode);
        Assert.Equal(503, (await Assert.ThrowsAsync<RequestException>(() => slow)).StatusCode);
        Assert.Equal("first", host.Current.Engine.Source);

        // The timed-out load still runs: reloads stay refused until it ends, and its model is never swapped in.
        Assert.Equal(409, (await Assert.ThrowsAsync<RequestException>(() => host.ReloadAsync(new ReloadRequest("fast"), CancellationToken.None))).StatusCode);
        gate.Set();
        for (var waited = 0; host.Reloading && waited < 10_000; waited += 20)
        {
            await Task.Delay(20);                                                                // the abandoned load ends (slowly on a busy machine)
        }

        Assert.Equal("first", host.Current.Engine.Source);
        var served = await host.ReloadAsync(new ReloadRequest("fast"), CancellationToken.None);
        Assert.Equal(("fast", 2), (served.Engine.Source, served.Generation));
    }

    /// <summary>
    /// A client that goes away while its reload loads does not free the one-at-a-time guard: the next reload is 409
    /// until the abandoned load really ends, its model is disposed rather than served, and the abandonment is reported.
    /// </summary>
    [Fact]
    public async Task AnAbandonedReloadHoldsTheGuardUntilItsLoadEndsAndItsModelIsDisposed()
    {
        using var gate = new ManualResetEventSlim();
        Tensor? abandonedWeight = null;
        var host = new ModelHost(Engine(1, "first"), null, path =>
        {
            if (path != "slow")
            {
                return Engine(2, path);
            }

            gate.Wait();
            manual_seed(4);
            var abandoned = new SequentialRecommender(TrainingTests.SmallRun(1).Model, 30);
            abandonedWeight = abandoned.parameters().First();
            return new RetrievalEngine(abandoned, data, IndexKind.Exact, path);
        })
        { Timeout = TimeSpan.FromSeconds(30) };
        var reasons = new List<string>();
        host.LoadAbandoned += reasons.Add;

        using var client = new CancellationTokenSource();
        var slow = host.ReloadAsync(new ReloadRequest("slow"), client.Token);
        await Task.Delay(50);
        await client.CancelAsync();                                                      // the client disconnects (499)
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => slow);
        Assert.Equal(["cancelled"], reasons);
        Assert.True(host.Reloading);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(409, (await Assert.ThrowsAsync<RequestException>(() => host.ReloadAsync(new ReloadRequest("fast"), CancellationToken.None))).StatusCode);
        }

        gate.Set();
        for (var waited = 0; host.Reloading && waited < 100; waited++)
        {
            await Task.Delay(50);
        }

        Assert.False(host.Reloading);
        Assert.Equal("first", host.Current.Engine.Source);                                 // never swapped in
        Assert.True(abandonedWeight!.IsInvalid, "the abandoned load's weights were not freed");
        var served = await host.ReloadAsync(new ReloadRequest("fast"), CancellationToken.None);
        Assert.Equal(("fast", 2), (served.Engine.Source, served.Generation));
    }

    [Fact]
    public async Task BatchedStatesEqualOneByOneAndConcurrentRequestsShareBatches()
    {
        var engine = Engine(3, "batched");
        var sizes = new List<int>();
        engine.EnableBatching(8, TimeSpan.FromMilliseconds(20), (size, _) =>
        {
            lock (sizes)
            {
                sizes.Add(size);
            }
        });
        var histories = Enumerable.Range(0, 24).Select(u => data.Sequences[u]).ToArray();
        var batched = await Task.WhenAll(histories.Select(h => engine.RecommendAsync(h, 5)));
        for (var u = 0; u < histories.Length; u++)
        {
            var alone = engine.Recommend(histories[u], 5);
            Assert.Equal(alone.Select(r => r.Item), batched[u].Select(r => r.Item));
            Assert.All(alone.Zip(batched[u]), p => Assert.Equal(p.First.Score, p.Second.Score, 1e-5));
        }

        Assert.Equal(24, sizes.Sum());
        Assert.True(sizes.Max() > 1, "concurrent requests were never batched");
        Assert.True(sizes.Max() <= 8);

        // Swapped out: queued requests were answered; later ones are computed alone, with the same result.
        await engine.StopBatching();
        var after = await engine.RecommendAsync(histories[0], 5);
        Assert.Equal(batched[0].Select(r => r.Item), after.Select(r => r.Item));
        Assert.Equal(24, sizes.Sum());
    }

    [Fact]
    public async Task ABatchFailureReachesEveryRequestOfIt()
    {
        var batcher = new DynamicBatcher<int[], float[]>(_ => throw new InvalidOperationException("boom"), 4, TimeSpan.FromMilliseconds(5));
        var a = batcher.RunAsync([1])!;
        var b = batcher.RunAsync([2])!;
        Assert.Equal("boom", (await Assert.ThrowsAsync<InvalidOperationException>(() => a)).Message);
        Assert.Equal("boom", (await Assert.ThrowsAsync<InvalidOperationException>(() => b)).Message);
        await batcher.Complete();
        Assert.Null(batcher.RunAsync([3]));
    }

    [Fact]
    public void HeaderLengthsAreCheckedAgainstTheFileBeforeReading()
    {
        var bytes = new MemoryStream();
        using (var w = new BinaryWriter(bytes, Encoding.UTF8, leaveOpen: true))
        {
            w.Write("fits");
            w.Write7BitEncodedInt(1_000);                  // claims 1,000 bytes, 3 follow
            w.Write("abc"u8.ToArray());
        }

        bytes.Position = 0;
        using var r = new BinaryReader(bytes);
        Assert.Equal("fits", CheckpointFile.ReadBoundedString(r, "x.ckpt", "header", 100));
        var error = Assert.Throws<InvalidDataException>(() => CheckpointFile.ReadBoundedString(r, "x.ckpt", "header", 10_000));
        Assert.Contains("claims 1,000 bytes; the file has 3 left", error.Message);
        bytes.Position = 0;
        Assert.Contains("at most 2", Assert.Throws<InvalidDataException>(() => CheckpointFile.ReadBoundedString(r, "x.ckpt", "header", 2)).Message);
    }

    [Fact]
    public void TheDatasetIsFoundFromAnyWorkingFolder()
    {
        using var dir = new TempDir();
        var data = dir.File("repo/data/shop/ratings.csv", "user,item\n");
        var checkpoint = dir.File("repo/runs/x/best.ckpt", "");

        // Relative to the repository (as configs say), looked up from the checkpoint's folders upwards.
        Assert.Equal(Path.GetFullPath(data), Path.GetFullPath(Path.Combine(CheckpointDataLocator.Find("data/shop", null, checkpoint), "ratings.csv")));

        // Recorded at training time.
        Assert.Equal(Path.GetDirectoryName(data), CheckpointDataLocator.Find("elsewhere/shop", Path.GetDirectoryName(data), checkpoint));
        var missing = Assert.Throws<FileNotFoundException>(() => CheckpointDataLocator.Find("nowhere/shop", "/no/such/dir", checkpoint));
        Assert.Contains("/no/such/dir", missing.Message);
    }

    [Fact]
    public void TheStateFileRemembersTheReloadedModelForTheSameStartCommand()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "state.json");
        var started = Path.Combine(dir.Path, "runs", "a", "best.ckpt");
        new ServedModelState(started, "/models/b.ckpt", null, 3, DateTimeOffset.UnixEpoch).Write(path);
        Assert.Equal(("/models/b.ckpt", 3), ServedModelState.Read(path, started) is { } s ? (s.Checkpoint, s.Generation) : default);
        Assert.Null(ServedModelState.Read(path, Path.Combine(dir.Path, "runs", "other", "best.ckpt")));
        File.WriteAllText(path, "{ damaged");
        Assert.Null(ServedModelState.Read(path, started));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public async Task KnownUsersAreAnsweredFromStatesKeptPerModel()
    {
        var engine = Engine(5, "cached");
        var fresh = Engine(5, "same weights, nothing kept");
        engine.PrecomputeKnownUsers(maxUsers: 12, batchSize: 7);
        Assert.Equal(12, engine.CachedUsers);
        for (var u = 0; u < data.NumUsers; u++)
        {
            var kept = await engine.RecommendForUserAsync(u, 4);
            var computed = fresh.Recommend(data.Sequences[u], 4);
            Assert.Equal(computed.Select(r => r.Item), kept.Select(r => r.Item));
            Assert.All(computed.Zip(kept), p => Assert.Equal(p.First.Score, p.Second.Score, 1e-5));
        }

        Assert.Equal(data.NumUsers, engine.CachedUsers);
        manual_seed(5);
        var bounded = new RetrievalEngine(new SequentialRecommender(TrainingTests.SmallRun(1).Model, 30), data, IndexKind.Exact, "bounded") { MaxCachedUsers = 5 };
        bounded.PrecomputeKnownUsers();
        Assert.Equal(5, bounded.CachedUsers);
        Assert.Equal(fresh.Recommend(data.Sequences[20], 4).Select(r => r.Item), (await bounded.RecommendForUserAsync(20, 4)).Select(r => r.Item));
        Assert.Equal(5, bounded.CachedUsers);
    }
}
