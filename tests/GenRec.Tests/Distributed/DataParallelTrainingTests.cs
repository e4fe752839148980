using System.Diagnostics;
using GenRec.Checkpoints;
using GenRec.Configuration;
using GenRec.Data;
using GenRec.Models.Tiger;
using GenRec.Tests.Cli;
using GenRec.Training.Tiger;
using static TorchSharp.torch;

namespace GenRec.Tests.Distributed;

/// <summary>
/// Data-parallel training under <c>mpirun -np 2</c> (Open MPI, installed by <c>scripts/setup.sh</c>), one libtorch
/// thread per rank: two ranks with half of each batch train the same model as one process with the whole batch, and a
/// rank that dies ends the run with a clear error instead of leaving the other waiting. The retrieval trainer and TIGER's.
/// </summary>
public class DataParallelTrainingTests
{
    private static string Fixture(TempDir dir)
    {
        CycleRatings.Write(dir, seed: 5, minLength: 8, extra: 14);

        // Full softmax and no dropout: nothing random in a step, so only the summation order can differ.
        return dir.File("config.json", """
            { "name": "parallel", "seed": 7,
              "data": { "path": "data", "split": "leave_one_out" },
              "model": { "encoder": "sasrec", "embedding_dim": 16, "max_sequence_length": 16, "num_blocks": 1, "num_heads": 1, "ffn_hidden_dim": 16, "dropout": 0 },
              "train": { "batch_size": 32, "epochs": 2, "learning_rate": 0.005, "loss": "full_softmax", "eval_every": 1, "patience": 0 } }
            """);
    }

    private static ProcessStartInfo Start(TempDir dir, IEnumerable<string> command)
    {
        var start = new ProcessStartInfo(command.First()) { WorkingDirectory = dir.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["GENREC_THREADS"] = "1";
        start.Environment["GENREC_CACHE"] = Path.Combine(dir.Path, "cache");
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1";                                    // CI containers run as root
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1";
        return start;
    }

    private static async Task<(int ExitCode, string Output)> Run(ProcessStartInfo start, TimeSpan limit)
    {
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} still running after {limit.TotalSeconds:N0} s (a rank waiting for another?)");
        }

        return (process.ExitCode, await output + await errors);
    }

    private static string Mpirun() =>
        new[] { "/usr/bin/mpirun", "/usr/local/bin/mpirun" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("mpirun not found: scripts/setup.sh installs Open MPI (Debian's openmpi-bin)");

    private static string[] Genrec(params string[] arguments) => ["dotnet", Path.Combine(AppContext.BaseDirectory, "GenRec.Cli.dll"), .. arguments];

    private static string[] UnderMpi(int ranks, params string[] command) => [Mpirun(), "-np", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture), "--oversubscribe", "--bind-to", "none", .. command];

    // genrec train on the config in one process (run folder "single") and on two ranks ("parallel"): both succeed, and
    // only rank 0 reports the test (its table's title starts with testMarker).
    private static async Task TrainBothWays(TempDir dir, string config, string testMarker)
    {
        var (single, singleOutput) = await Run(Start(dir, Genrec("train", "--config", config, "--out", "single")), TimeSpan.FromMinutes(3));
        Assert.True(single == 0, singleOutput);
        var (parallel, parallelOutput) = await Run(Start(dir, UnderMpi(2, Genrec("train", "--config", config, "--out", "parallel"))), TimeSpan.FromMinutes(3));
        Assert.True(parallel == 0, parallelOutput);
        Assert.Contains("data parallel: Open MPI", parallelOutput, StringComparison.Ordinal);
        Assert.Equal(1, parallelOutput.Split(testMarker).Length - 1);
    }

    private static (string Name, Tensor Value)[] Parameters(string checkpoint, string data)
    {
        using var opened = Checkpoint.Open(checkpoint, new CheckpointOpenOptions { DataPath = data, CacheDir = Path.Combine(Path.GetDirectoryName(data)!, "cache"), WithCatalog = false });
        using var model = opened.TakeRetrieval("test");
        return [.. model.named_parameters().Select(p => (p.name, p.parameter.detach().clone()))];
    }

    [Fact]
    public async Task TwoRanksWithHalfOfEachBatchTrainTheSameModelAsOneProcessWithTheWholeBatch()
    {
        using var dir = new TempDir();
        var config = Fixture(dir);
        await TrainBothWays(dir, config, testMarker: "test (");

        // Ten steps (150 users, 32 per batch, 2 epochs) of AdamW: the same weights up to float summation order.
        var expected = Parameters(Path.Combine(dir.Path, "single", "last.ckpt"), Path.Combine(dir.Path, "data"));
        var actual = Parameters(Path.Combine(dir.Path, "parallel", "last.ckpt"), Path.Combine(dir.Path, "data"));
        Assert.Equal(expected.Select(p => p.Name), actual.Select(p => p.Name));
        // One exception: the attention's key bias. It adds the same q.b to every score of a query, which softmax ignores,
        // so its gradient is zero in exact arithmetic and float noise alone (of either summation order); Adam divides
        // a gradient by its own size, so that noise moves it by up to the learning rate a step, in one run as in the other.
        var gaps = expected.Zip(actual, (e, a) => (e.Name, Gap: (e.Value - a.Value).abs().max().item<float>())).ToArray();
        var compared = gaps.Where(g => !g.Name.EndsWith("keyProjection.bias", StringComparison.Ordinal)).ToArray();
        Assert.Equal(gaps.Length - 1, compared.Length);
        Assert.True(compared.All(g => g.Gap < 1e-6f), string.Join("; ", gaps.Select(g => $"{g.Name} {g.Gap:G3}")));

        Assert.Equal(
            File.ReadAllLines(Path.Combine(dir.Path, "single", "metrics.jsonl")).Length,
            File.ReadAllLines(Path.Combine(dir.Path, "parallel", "metrics.jsonl")).Length);
    }

    [Fact]
    public async Task TigerOnTwoRanksWithHalfOfEachBatchTrainsTheSameModelAsOneProcess()
    {
        using var dir = new TempDir();
        CycleRatings.Write(dir, seed: 5, minLength: 8, extra: 14);
        // Random semantic IDs (the same table for a seed), no dropout: nothing random in a step.
        var config = dir.File("tiger.json", """
            { "kind": "tiger", "name": "parallel-tiger", "seed": 7, "semantic_ids": "random",
              "data": { "path": "data", "split": "leave_one_out" },
              "model": { "encoder_layers": 1, "decoder_layers": 1, "num_heads": 2, "head_dim": 8, "model_dim": 16, "ffn_dim": 32, "dropout": 0, "max_history": 5, "user_buckets": 10 },
              "train": { "batch_size": 32, "learning_rate": 0.005, "warmup_steps": 2, "epochs": 2, "steps_per_epoch": 5, "patience": 0, "beams": 5, "max_validation_users": 20 } }
            """);
        await TrainBothWays(dir, config, testMarker: "parallel-tiger test (");

        // Ten steps of 32 examples (with warm-up and clipping at norm 1, after the sum): the same weights up to summation order.
        var expected = TigerParameters(dir, config, Path.Combine(dir.Path, "single", "last.ckpt"));
        var actual = TigerParameters(dir, config, Path.Combine(dir.Path, "parallel", "last.ckpt"));
        Assert.Equal(expected.Select(p => p.Name), actual.Select(p => p.Name));
        var gaps = expected.Zip(actual, (e, a) => (e.Name, Gap: (e.Value - a.Value).abs().max().item<float>())).ToArray();
        Assert.True(gaps.All(g => g.Gap < 1e-6f), string.Join("; ", gaps.Select(g => $"{g.Name} {g.Gap:G3}")));
        Assert.Equal(
            GenRec.Training.EpochLoop.ReadLog(Path.Combine(dir.Path, "single", "metrics.jsonl")).Select(e => (e.Epoch, e.Step, e.Samples, e.Validation!["ndcg@10"])),
            GenRec.Training.EpochLoop.ReadLog(Path.Combine(dir.Path, "parallel", "metrics.jsonl")).Select(e => (e.Epoch, e.Step, e.Samples, e.Validation!["ndcg@10"])));
    }

    // A TIGER checkpoint's weights, read into the model its config and random semantic IDs describe.
    private static (string Name, Tensor Value)[] TigerParameters(TempDir dir, string config, string checkpoint)
    {
        var run = JsonConfig.Load<TigerRunConfig>(config);
        var data = DatasetLoader.Load((run.Data with { Path = Path.Combine(dir.Path, "data") }).ToRequest(Path.Combine(dir.Path, "cache")));
        var ids = SemanticIdFile.Random(data.NumItems, levels: 3, codebookSize: 256, run.Seed);
        var codes = Enumerable.Range(0, ids[1].Length).Select(p => ids.Skip(1).Max(i => i[p]) + 1).ToArray();
        using var model = new TigerModel(run.Model, new SemanticIdVocabulary(codes, run.Model.UserBuckets));
        TigerCheckpoint.Restore(checkpoint, model, null);
        return [.. model.named_parameters().Select(p => (p.name, p.parameter.detach().clone()))];
    }

    [Fact]
    public async Task TheDataParallelBenchComparesOneProcessWithTwoRanksAndRecordsTheAllreduceTime()
    {
        using var dir = new TempDir();
        var config = Fixture(dir);
        var (status, output) = await Run(Start(dir, Genrec("bench", "data-parallel", "--config", config, "--epochs", "1", "--threads", "2", "--runs", "runs", "--results", "results")), TimeSpan.FromMinutes(4));
        Assert.True(status == 0, output);
        var report = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir.Path, "results", "sasrec-data-2-ranks.json")))!;
        var metrics = report["metrics"]!;
        double Metric(string key) => metrics[key]!.GetValue<double>();
        Assert.Equal(Metric("data_parallel_sequences_per_second") / Metric("one_process_sequences_per_second"), Metric("speedup"), 9);
        Assert.True(Metric("allreduce_ms_per_step") > 0 && Metric("allreduce_share_of_training") is > 0 and < 1, output);
        var arms = report["training"]!;
        Assert.Equal(1, arms["one_process"]!["processes"]!.GetValue<int>());
        Assert.Equal(2, arms["one_process"]!["threads_per_process"]!.GetValue<int>());
        Assert.Equal(2, arms["data_parallel"]!["data_parallel"]!["ranks"]!.GetValue<int>());
        Assert.Equal(arms["one_process"]!["steps"]!.GetValue<long>(), arms["data_parallel"]!["steps"]!.GetValue<long>());  // the same global batches
    }

    [Fact]
    public async Task BenchTrainUnderMpirunEndsMpiOnEveryRankAndRankZeroAloneWritesTheJson()
    {
        using var dir = new TempDir();
        var config = Fixture(dir);
        var (status, output) = await Run(Start(dir, UnderMpi(2, Genrec("bench", "train", "--config", config, "--epochs", "1", "--out", "run", "--results", "results"))), TimeSpan.FromMinutes(3));
        Assert.True(status == 0, output);                                                          // a rank without MPI_Finalize fails the job
        Assert.DoesNotContain("finalize", output, StringComparison.OrdinalIgnoreCase);
        var written = Assert.Single(Directory.GetFiles(Path.Combine(dir.Path, "results"), "*.json"));
        Assert.Contains("\"data_parallel\"", File.ReadAllText(written), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnderMpirunACommandThatDoesNotTrainIsRefusedBeforeItStarts()
    {
        using var dir = new TempDir();
        CycleRatings.Write(dir, seed: 5, minLength: 8, extra: 14);
        var (status, output) = await Run(Start(dir, UnderMpi(2, Genrec("data", "stats", "data"))), TimeSpan.FromMinutes(2));
        Assert.NotEqual(0, status);
        Assert.Contains("'genrec data stats' runs in one process", output, StringComparison.Ordinal);
        Assert.DoesNotContain("users", output, StringComparison.Ordinal);                          // the statistics never ran
    }

    [Fact]
    public async Task ARankThatDiesEndsTheRunWithAnErrorInsteadOfLeavingTheOtherWaiting()
    {
        using var dir = new TempDir();
        var config = Fixture(dir);
        var start = Start(dir, UnderMpi(2, Genrec("train", "--config", config, "--epochs", "100000", "--out", "doomed")));
        using var mpirun = Process.Start(start)!;
        var output = mpirun.StandardOutput.ReadToEndAsync();
        var errors = mpirun.StandardError.ReadToEndAsync();

        // Once rank 0 has finished an epoch (its metrics.jsonl exists), rank 1 is killed outright.
        var log = Path.Combine(dir.Path, "doomed", "metrics.jsonl");
        var clock = Stopwatch.StartNew();
        while (!File.Exists(log) && clock.Elapsed < TimeSpan.FromMinutes(2) && !mpirun.HasExited)
        {
            await Task.Delay(100);
        }

        if (!File.Exists(log))
        {
            mpirun.Kill(entireProcessTree: true);
            Assert.Fail($"no epoch finished: {await output}{await errors}");
        }

        var rankOne = RankProcess(1, dir.Path);
        if (rankOne is null)
        {
            mpirun.Kill(entireProcessTree: true);
            Assert.Fail("rank 1 not found among the processes");
        }

        rankOne.Kill();
        var ended = await Task.WhenAny(mpirun.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        if (!mpirun.HasExited)
        {
            mpirun.Kill(entireProcessTree: true);
        }

        Assert.True(mpirun.HasExited && ended != null, "rank 0 still waits 60 s after rank 1 died");
        Assert.NotEqual(0, mpirun.ExitCode);
        var text = await output + await errors;
        Assert.Contains("signal 9", text, StringComparison.OrdinalIgnoreCase);                   // mpirun names the rank that died and how
    }

    // The process of a rank of this test's run: its command line names the run's folder, its environment the rank.
    private static Process? RankProcess(int rank, string folder)
    {
        foreach (var pid in Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(name => name!.All(char.IsAsciiDigit)))
        {
            try
            {
                var environment = File.ReadAllText($"/proc/{pid}/environ").Split('\0');
                if (environment.Contains($"OMPI_COMM_WORLD_RANK={rank}") && environment.Contains($"GENREC_CACHE={Path.Combine(folder, "cache")}"))
                {
                    return Process.GetProcessById(int.Parse(pid!, System.Globalization.CultureInfo.InvariantCulture));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                // gone meanwhile, or not ours
            }
        }

        return null;
    }
}
