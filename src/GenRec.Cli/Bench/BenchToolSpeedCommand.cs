using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using GenRec.Configuration;
using GenRec.Util;

namespace GenRec.Cli.Bench;

/// <summary>
/// <c>genrec bench tool-speed</c> (after <c>scripts/pack.sh --tool</c>): the packed tool and the samples built against the
/// packages, against the repository's <c>./genrec</c>, alternating, in this one job on this machine. Every host is a clean
/// start (no preload or allocator settings inherited):
/// <list type="bullet">
/// <item>train: the installed tool started from an empty folder vs <c>./genrec</c>, one epoch of ML-1M SASRec and of Amazon
/// Beauty SASRec with full softmax, sequences/s from each run's result, <c>--repeats</c> runs each;</item>
/// <item>console: samples/ConsoleSample (its SASRec on ml-latest-small, <c>--sample-epochs</c> epochs) vs <c>./genrec train</c>
/// on the same model;</item>
/// <item>web: samples/WebSample serving a quickstart checkpoint vs <c>genrec serve</c> on it, <c>bench load</c> on
/// /recommend (4 workers, 10 s each).</item>
/// </list>
/// Writes <c>bench/results/speed/fast-paths/tool-speed-&lt;comparison&gt;.json</c> (every rate, the medians and their ratio).
/// </summary>
internal static class BenchToolSpeedCommand
{
    public static Command Create()
    {
        var parts = new Option<string>("--parts") { Description = "Comparisons to run, comma-separated: train, console, web", DefaultValueFactory = _ => "train,console,web" };
        var repeats = new Option<int>("--repeats") { Description = "Training runs of each host per config", DefaultValueFactory = _ => 3 };
        var sampleEpochs = new Option<int>("--sample-epochs") { Description = "Epochs of the console sample's training", DefaultValueFactory = _ => 30 };
        var runs = BenchCommand.RunsOption();
        var results = BenchCommand.OutputOption("speed/fast-paths");
        var command = new Command("tool-speed", "The packed .NET tool and the samples against ./genrec: training sequences/s and serving requests/s (after scripts/pack.sh --tool)")
        {
            parts, repeats, sampleEpochs, runs, results,
        };
        command.SetAction(r =>
        {
            var root = Directory.GetCurrentDirectory();
            var tool = Path.Combine(root, "artifacts", "tool", "genrec");
            var console = Path.Combine(root, "samples", "ConsoleSample", "bin", "Release", "net10.0", "ConsoleSample.dll");
            var web = Path.Combine(root, "samples", "WebSample", "bin", "Release", "net10.0", "WebSample.dll");
            foreach (var needed in new[] { tool, console, web })
            {
                if (!File.Exists(needed))
                {
                    throw new FileNotFoundException($"tool-speed: {needed} is missing: run scripts/pack.sh --tool first");
                }
            }

            var chosen = r.GetValue(parts)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            foreach (var p in chosen.Where(p => p is not ("train" or "console" or "web")))
            {
                throw new ArgumentException($"--parts: unknown part '{Util.QuotedText.Clip(p)}' (available: train, console, web)");
            }

            var work = Path.Combine(r.GetValue(runs)!, "tool-speed");
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }

            var empty = Path.Combine(work, "empty");
            Directory.CreateDirectory(empty);
            var launcher = Path.Combine(root, "genrec");
            var shared = Path.GetFullPath(Path.Combine(root, "..", "shared", "data"));
            var clean = GenRecChild.CleanStart();
            clean["GENREC_THREADS"] = null;
            var out_ = r.GetValue(results)!;
            if (chosen.Contains("train"))
            {
                foreach (var (config, data) in new[] { ("ml-1m-sasrec", "ml-1m"), ("amazon-beauty-sasrec-ce", "amazon-beauty") })
                {
                    var (host, own) = (new List<double>(), new List<double>());
                    for (var i = 1; i <= r.GetValue(repeats); i++)
                    {
                        var toolRun = Path.Combine(work, $"tool-{config}-{i}");
                        Quiet(tool, ["train", "--config", config, "--data", Path.Combine(shared, data), "--epochs", "1", "--out", toolRun], clean, empty);
                        host.Add(RunRate(toolRun));
                        var launcherRun = Path.Combine(work, $"launcher-{config}-{i}");
                        Quiet(launcher, ["train", "--config", $"configs/{config}.json", "--epochs", "1", "--out", launcherRun], clean, root);
                        own.Add(RunRate(launcherRun));
                    }

                    Publish(out_, $"train-{config}", "installed tool, empty folder", host, own, "training sequences/s (one epoch)");
                }
            }

            if (chosen.Contains("console"))
            {
                var epochs = r.GetValue(sampleEpochs);
                // The console sample's model as a config for ./genrec (the record defaults fill the rest, as in the sample).
                var sampleConfig = Path.Combine(work, "console-sample.json");
                File.WriteAllText(sampleConfig, string.Create(CultureInfo.InvariantCulture, $$"""
                    { "kind": "retrieval", "name": "console-sample", "seed": 42, "data": { "path": "data/ml-latest-small", "kcore": 5 },
                      "model": { "encoder": "sasrec", "embedding_dim": 32, "max_sequence_length": 50, "num_blocks": 2, "num_heads": 1, "dropout": 0.2 },
                      "train": { "epochs": {{epochs}}, "batch_size": 128, "learning_rate": 0.001, "patience": 0 } }
                    """));
                var (host, own) = (new List<double>(), new List<double>());
                for (var i = 1; i <= 2; i++)
                {
                    var printed = new List<string>();
                    Checked("dotnet", GenRecChild.Run([console, "data/ml-latest-small", epochs.ToString(CultureInfo.InvariantCulture)], clean, printed.Add, "dotnet"));
                    host.Add(SampleRate(printed));
                    var launcherRun = Path.Combine(work, $"console-launcher-{i}");
                    Quiet(launcher, ["train", "--config", sampleConfig, "--out", launcherRun], clean, root);
                    own.Add(RunRate(launcherRun));
                }

                Publish(out_, "console-sample", "samples/ConsoleSample on the packages", host, own, $"training sequences/s ({epochs} epochs)");
            }

            if (chosen.Contains("web"))
            {
                var model = Path.Combine(work, "serve-model");
                Quiet(launcher, ["train", "--config", "quickstart", "--max-minutes", "0.5", "--out", model], clean, root);
                var checkpoint = Path.Combine(model, "best.ckpt");
                var (host, own) = (new List<double>(), new List<double>());
                for (var i = 1; i <= 3; i++)
                {
                    // The web sample logs at Warning, as genrec serve does for requests (ASP.NET's default logs each request).
                    host.Add(ServedRate("dotnet", [web, $"--GenRec:Checkpoint={checkpoint}", "--urls", "http://127.0.0.1:5077", "--Logging:LogLevel:Default=Warning"],
                        "http://127.0.0.1:5077/recs", $"websample-{i}", clean, work));
                    own.Add(ServedRate(null, ["serve", "--checkpoint", checkpoint, "--port", "5078"], "http://127.0.0.1:5078", $"serve-{i}", clean, work));
                }

                Publish(out_, "web-sample", "samples/WebSample on the packages", host, own, "/recommend requests/s (4 workers, 10 s)");
            }

            return 0;
        });
        return command;
    }

    private static void Quiet(string fileName, string[] arguments, Dictionary<string, string?> environment, string workingDirectory)
    {
        var printed = new List<string>();
        var status = GenRecChild.Run(arguments, environment, printed.Add, fileName, workingDirectory);
        if (status != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed (exit status {status}): {string.Join('\n', printed.TakeLast(5))}");
        }
    }

    private static void Checked(string what, int status)
    {
        if (status != 0)
        {
            throw new InvalidOperationException($"{what} failed (exit status {status})");
        }
    }

    /// <summary>Training sequences/s of a run folder's result.json.</summary>
    private static double RunRate(string runFolder) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(runFolder, "result.json")))!["training"]?["samples_per_second"]?.GetValue<double>()
        ?? throw new InvalidDataException($"{runFolder}/result.json: no training.samples_per_second");

    /// <summary>The console sample's "... at N sequences/s" line.</summary>
    internal static double SampleRate(IEnumerable<string> printed)
    {
        foreach (var line in printed)
        {
            var match = System.Text.RegularExpressions.Regex.Match(line, @" at ([0-9.]+) sequences/s");
            if (match.Success)
            {
                return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidDataException("ConsoleSample printed no '... at N sequences/s' line");
    }

    /// <summary>Starts a server, waits for /ready, measures /recommend with bench load, stops the server.</summary>
    private static double ServedRate(string? fileName, string[] arguments, string baseUrl, string name, Dictionary<string, string?> environment, string work)
    {
        using var server = GenRecChild.StartServer(arguments, environment, fileName);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(baseUrl + "/"), Timeout = TimeSpan.FromSeconds(5) };
            GenRecChild.WaitReady(http, server, name).GetAwaiter().GetResult();
            var printed = new List<string>();
            Checked("bench load", GenRecChild.Run(["bench", "load", "--url", $"{baseUrl}/recommend", "--users", "1:610", "--workers", "4", "--seconds", "10", "--name", name, "--results", work], environment, printed.Add));
            var match = printed.Select(line => System.Text.RegularExpressions.Regex.Match(line, @"recommend_rps=([0-9.]+)")).FirstOrDefault(m => m.Success)
                ?? throw new InvalidDataException($"{name}: bench load printed no recommend_rps");
            return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            server.WaitForExit();
        }
    }

    /// <summary>The median of some rates (the mean of the middle two for an even count).</summary>
    internal static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static void Publish(string folder, string comparison, string host, List<double> hostRates, List<double> launcherRates, string unit)
    {
        var (h, l) = (Median(hostRates), Median(launcherRates));
        var report = new JsonObject
        {
            ["comparison"] = comparison, ["host"] = host, ["unit"] = unit,
            ["host_rates"] = new JsonArray([.. hostRates.Select(x => JsonValue.Create(x))]), ["launcher_rates"] = new JsonArray([.. launcherRates.Select(x => JsonValue.Create(x))]),
            ["host_median"] = h, ["launcher_median"] = l, ["ratio"] = Math.Round(h / l, 3),
            ["git_revision"] = GitRevision.Current(), ["machine"] = BenchReport.MachineDescription(), ["date"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        };
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"tool-speed-{comparison}.json");
        AtomicFile.WriteAllText(path, report.ToJsonString(RunConfig.Json) + "\n");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"tool-speed: {comparison}: {host} {string.Join(',', hostRates)} (median {h}), ./genrec {string.Join(',', launcherRates)} (median {l}) -> {path}"));
    }
}
