using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using GenRec.Configuration;

namespace GenRec.Cli.Bench;

/// <summary>
/// <c>genrec bench data-parallel</c>: one process with all the threads against <c>mpirun -np P</c> ranks sharing them, on
/// the same config for the same epochs, one after the other on this machine (each a fresh <c>genrec train</c>, no
/// per-epoch test): training sequences/s of each, and rank 0's time in the per-step collectives (waiting for the other
/// ranks included) with its share of training. Writes
/// <c>&lt;results&gt;/&lt;model&gt;-&lt;dataset&gt;-&lt;P&gt;-ranks.json</c>; ratios within one run are the claim.
/// </summary>
internal static class BenchDataParallelCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "Retrieval config (bundled name or file)", DefaultValueFactory = _ => "ml-1m-sasrec" };
        var epochs = new Option<int>("--epochs") { Description = "Epochs of each arm", DefaultValueFactory = _ => 3 };
        var ranks = new Option<int>("--ranks") { Description = "Ranks of the data-parallel arm", DefaultValueFactory = _ => 2 };
        var threads = new Option<int>("--threads") { Description = "Cores to share: the single process's libtorch threads; each rank gets threads / ranks", DefaultValueFactory = _ => Environment.ProcessorCount };
        var runs = BenchCommand.RunsOption();
        var results = BenchCommand.OutputOption("distributed");
        var command = new Command("data-parallel", "One process with all threads against mpirun -np P ranks sharing them: sequences/s, allreduce time per step")
        {
            config, epochs, ranks, threads, runs, results,
        };
        command.SetAction(r =>
        {
            var (p, t) = (r.GetValue(ranks), r.GetValue(threads));
            if (p < 2 || t < p)
            {
                throw new ArgumentException($"--ranks {p} --threads {t}: give at least 2 ranks and at least one thread per rank");
            }

            var mpirun = new[] { "/usr/bin/mpirun", "/usr/local/bin/mpirun" }.FirstOrDefault(File.Exists)
                ?? throw new InvalidOperationException("mpirun not found: scripts/setup.sh installs Open MPI (Debian's openmpi-bin)");
            var name = r.GetValue(config)!;
            var run = Commands.BundledFiles.LoadRun(name);
            var folder = Path.Combine(r.GetValue(runs)!, "data-parallel");
            var clock = Stopwatch.StartNew();
            string[] Train(string arm) =>
                ["train", "--config", name, "--epochs", Invariant(r.GetValue(epochs)), "--set", "train.test_every_epoch=false", "--out", Path.Combine(folder, arm)];

            var one = Arm("one-process", folder, log => GenRecChild.Run(Train("one-process"), new Dictionary<string, string?> { ["GENREC_THREADS"] = Invariant(t) }, log));
            var (self, prefix) = GenRecChild.Self();
            var environment = new Dictionary<string, string?> { ["GENREC_THREADS"] = Invariant(t / p), ["OMPI_ALLOW_RUN_AS_ROOT"] = "1", ["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1" };
            var parallel = Arm($"{p}-ranks", folder, log => GenRecChild.Run(["-np", Invariant(p), "-x", "GENREC_THREADS", self, .. prefix, .. Train($"{p}-ranks")], environment, log, fileName: mpirun));

            var timing = parallel.Result["data_parallel"] ?? throw new InvalidDataException($"{parallel.Folder}/result.json: no data_parallel section (was the run started by mpirun?)");
            var collectiveSeconds = timing["all_reduce_seconds"]!.GetValue<double>();
            var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal)
            {
                ["one_process_sequences_per_second"] = one.PerSecond,
                ["data_parallel_sequences_per_second"] = parallel.PerSecond,
                ["speedup"] = parallel.PerSecond / one.PerSecond,
                ["allreduce_ms_per_step"] = timing["all_reduce_ms_per_step"]!.GetValue<double>(),
                ["allreduce_share_of_training"] = collectiveSeconds / parallel.Result["train_seconds"]!.GetValue<double>(),
            };
            var report = BenchReport.Create(
                run.Model.Encoder,
                Path.GetFileName(Path.GetFullPath(run.Data.Path).TrimEnd('/')),
                $"{r.GetValue(epochs)} epochs of {name} without the per-epoch test: 1 process x {t} threads, then mpirun -np {p} x {t / p} threads ({timing["group"]}), one after the other",
                metrics,
                clock.Elapsed.TotalSeconds,
                run,
                training: new { one_process = one.Summary(t, 1), data_parallel = parallel.Summary(t / p, p) });
            Console.WriteLine(report.Summary() + " -> " + report.Write(r.GetValue(results)!, $"{p}-ranks"));
            return 0;
        });
        return command;
    }

    private sealed record ArmResult(string Folder, JsonNode Result, double[] ValidationNdcg)
    {
        public double PerSecond => Result["samples_per_second"]!.GetValue<double>();

        public object Summary(int threadsEach, int processes) => new
        {
            processes,
            threads_per_process = threadsEach,
            sequences_per_second = PerSecond,
            train_seconds = Result["train_seconds"]!.GetValue<double>(),
            steps = Result["steps"]!.GetValue<long>(),
            validation_ndcg_at_10_by_epoch = ValidationNdcg,
            data_parallel = Result["data_parallel"],
        };
    }

    // One arm from an empty run folder; its result.json and validation curve.
    private static ArmResult Arm(string arm, string folder, Func<Action<string>, int> start)
    {
        var outDir = Path.Combine(folder, arm);
        if (Directory.Exists(outDir))
        {
            Directory.Delete(outDir, recursive: true);
        }

        Console.WriteLine($"== {arm}");
        var status = start(line =>
        {
            if (GenRecChild.IsSummary(line) || line.Contains("data parallel", StringComparison.Ordinal) || line.StartsWith("epoch", StringComparison.Ordinal))
            {
                Console.WriteLine($"  {line}");
            }
        });
        var resultPath = Path.Combine(outDir, "result.json");
        if (status != 0 || !File.Exists(resultPath))
        {
            throw new InvalidOperationException($"bench data-parallel: the {arm} run failed (exit {status}; its run folder {outDir})");
        }

        var curve = Training.EpochLoop.ReadLog(Path.Combine(outDir, "metrics.jsonl")).Select(e => e.Validation?["ndcg@10"] ?? double.NaN).ToArray();
        return new ArmResult(outDir, JsonNode.Parse(File.ReadAllText(resultPath))!, curve);
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
