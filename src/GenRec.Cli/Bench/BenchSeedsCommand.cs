using System.CommandLine;
using GenRec.Cli.Commands;
using GenRec.Configuration;
using GenRec.Distributed;

namespace GenRec.Cli.Bench;

/// <summary>
/// <c>genrec bench seeds</c>: one retrieval or ranking config (with any <c>--set</c> overrides) trained and tested once
/// per seed, then the table over the seeds (retrieval: beside the dataset's training-free floors; ranking: the ranker and
/// its history-free baseline, as <c>bench rank</c> trains them). Each seed's bench JSON goes to
/// <c>&lt;results&gt;/seeds/&lt;name&gt;/&lt;model&gt;-&lt;dataset&gt;-seed&lt;S&gt;.json</c> and its run folder is
/// <c>&lt;out&gt;/bench-&lt;name&gt;-seed&lt;S&gt;</c> (resumed from its <c>last.ckpt</c>); a seed whose JSON exists is
/// skipped, so an interrupted sweep continues where it stopped. The table (<c>bench seeds-table</c>) is written to
/// <c>&lt;results&gt;/seeds-&lt;name&gt;.json</c> with <c>&lt;results&gt;/../floors/{most-popular,transitions,text-knn}-&lt;dataset&gt;.json</c>
/// beside it where they exist (<c>bench baselines</c> writes them).
/// </summary>
internal static class BenchSeedsCommand
{
    public static Command Create()
    {
        var options = new RunOptions("Folder of the seeds' run folders (default ~/genrec-runs; keep long runs outside the work tree)");
        var seeds = new Option<string>("--seeds") { Description = "Seeds, comma-separated (e.g. 42,43,44); {seed} in train.init_from is each seed's own", Required = true };
        var name = new Option<string?>("--name") { Description = "Name of the sweep in the result paths (default: the config's file name)" };
        var model = new Option<string?>("--model") { Description = "Model name in the result file names (default: the encoder)" };
        var coldStart = new Option<string?>("--cold-start") { Description = "Also test with only the first N history items of each user, for each N given (e.g. 0,1,3)" };
        var metrics = new Option<string?>("--metrics") { Description = "Metric keys of the table, comma-separated (default: hr@10,ndcg@10,hr@5,ndcg@5; ranking: every task's)" };
        var coldItems = BenchTrainCommand.ColdItemsOption();
        var results = new Option<string?>("--results") { Description = "Results folder of the area (default bench/results/retrieval, or bench/results/ranking for a ranking config)" };
        var command = new Command("seeds", "Train and test a retrieval or ranking config once per seed (skipping seeds already done, resuming interrupted ones); the table over seeds") { seeds, name, model, coldStart, coldItems, metrics, results };
        options.AddTo(command);
        command.SetAction((r, cancel) =>
        {
            var seedList = ParseSeeds(r.GetValue(seeds)!);
            var prefixes = r.GetValue(coldStart) is { } text ? Evaluation.ColdStartTest.ParsePrefixes(text, "--cold-start") : null;
            var sweep = r.GetValue(name) ?? Path.GetFileNameWithoutExtension(options.ConfigFile(r)!);
            var runs = r.GetValue(options.Out) ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), "genrec-runs");
            var kind = options.Kind(r);
            if (kind is not (RunKind.Retrieval or RunKind.Ranking))
            {
                throw new ArgumentException($"--config: a {JsonConfig.Name(kind)} config; bench seeds runs retrieval and ranking configs (TIGER: genrec tiger train --seed)");
            }

            DataParallelLaunch.RequireKind(kind);
            return Task.FromResult(Sweep());

            // Every seed not yet done, then the table (rank 0 of a data-parallel sweep; the other ranks only train).
            int Sweep()
            {
                var resultsRoot = r.GetValue(results) ?? Path.Combine("bench", "results", kind == RunKind.Ranking ? "ranking" : "retrieval");
                var folder = Path.Combine(resultsRoot, "seeds", sweep);
                // Read once: every seed runs this config with its own seed.
                var ranking = kind == RunKind.Ranking ? options.Load<RankingRunConfig>(r) : null;
                var retrieval = ranking is null ? options.Load<RunConfig>(r) : null;
                var dataPath = ranking?.Data.Path ?? retrieval!.Data.Path;
                var coldItemText = r.GetValue(coldItems) is { } npy ? BenchTrainCommand.ColdItemText(npy, (retrieval ?? throw new ArgumentException("--cold-items: the cold-item test is for retrieval configs")).Data) : null;
                foreach (var seed in seedList)
                {
                    var done = Directory.Exists(folder) ? Directory.GetFiles(folder, $"*-seed{seed}.json") : [];
                    if (ProcessGroups.Current.AllAgree(done.Length > 0))
                    {
                        Terminal.Output.Info($"{sweep} seed {seed}: done ({done[0]})");
                        continue;
                    }

                    var runFolder = Path.Combine(runs, $"bench-{sweep}-seed{seed}");
                    var finished = ranking is not null
                        ? BenchRankCommand.Run(ranking with { Seed = seed }, runFolder, $"seed{seed}", resume: true, folder, microBatch: 256, cancel) is not null
                        : BenchTrainCommand.Run(new BenchTrainCommand.BenchTrainJob(OfSeed(retrieval!, seed), r.GetValue(model) ?? retrieval!.Model.Encoder, null, runFolder, Resume: true, folder, $"seed{seed}", ColdStart: prefixes, ColdItemText: coldItemText), cancel) is not null;
                    if (!finished)
                    {
                        return 130;
                    }
                }

                if (ProcessGroups.Current.Rank != 0)
                {
                    return 0;
                }

                var files = BenchSeedsTableCommand.Files([folder]);
                var keys = BenchSeedsTableCommand.MetricKeys(r.GetValue(metrics) ?? (kind == RunKind.Ranking ? string.Join(',', MetricsOf(files[0])) : "hr@10,ndcg@10,hr@5,ndcg@5"));
                var floors = kind == RunKind.Ranking ? [] : FloorFiles(resultsRoot, Path.GetFileName(Path.GetFullPath(dataPath).TrimEnd('/')));
                var table = BenchSeedsTableCommand.Build(files, floors, keys);
                BenchSeedsTableCommand.Publish(table, BenchSeedsTableCommand.Markdown(table, keys), Path.Combine(resultsRoot, $"seeds-{sweep}.json"));
                return 0;
            }
        });
        return command;
    }

    // The config of one seed: its seed, and train.init_from's {seed} (each seed updates its own earlier model) filled in.
    private static RunConfig OfSeed(RunConfig config, int seed) => config with
    {
        Seed = seed,
        Train = config.Train with { InitFrom = config.Train.InitFrom?.Replace("{seed}", seed.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal) },
    };

    private static IEnumerable<string> MetricsOf(string benchJson) =>
        System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(benchJson))!["metrics"]!.AsObject().Select(p => p.Key);

    /// <summary>Distinct seeds of a comma-separated list, in the order given.</summary>
    internal static int[] ParseSeeds(string list)
    {
        var seeds = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.TryParse(s, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var seed) ? seed : throw new ArgumentException($"--seeds: '{Util.QuotedText.Clip(s)}' is not an integer seed"))
            .ToArray();
        return seeds.Length == 0 ? throw new ArgumentException("--seeds: give at least one seed (e.g. 42,43,44)")
            : seeds.Distinct().Count() != seeds.Length ? throw new ArgumentException($"--seeds: {list} repeats a seed") : seeds;
    }

    /// <summary>The training-free floors of a dataset that exist: <c>floors/</c> beside the area's results folder.</summary>
    internal static string[] FloorFiles(string resultsRoot, string dataset) =>
        [.. new[] { "most-popular", "transitions", "text-knn" }
            .Select(f => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(resultsRoot))!, "floors", $"{f}-{dataset}.json"))
            .Where(File.Exists)];
}
