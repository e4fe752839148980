using System.CommandLine;
using System.Diagnostics;
using GenRec.Cli.Commands;
using GenRec.Cli.Terminal;
using GenRec.Data;
using GenRec.Data.Splits;
using GenRec.Evaluation;
using GenRec.Models.Baselines;

namespace GenRec.Cli.Bench;

/// <summary><c>genrec bench baselines</c> (MostPopular and item transitions) and <c>genrec bench train</c>, written as JSON.</summary>
internal static class BenchCommand
{
    /// <summary>
    /// The results folder option, <c>--results</c>: by default the area's folder under <c>bench/results/</c> (floors,
    /// retrieval, ranking, tiger, llm-esr, serving, speed, data; its README indexes them). <c>--out</c> is a run folder or
    /// an output file.
    /// </summary>
    public static Option<string> OutputOption(string area) =>
        new("--results") { Description = $"Results folder for the bench JSON (default bench/results/{area})", DefaultValueFactory = _ => Path.Combine("bench", "results", area) };

    /// <summary>The folder of a study's run folders and intermediate files, <c>--runs</c> (default ~/genrec-runs, outside the work tree).</summary>
    public static Option<string> RunsOption() =>
        new("--runs") { Description = "Folder of the run folders (default ~/genrec-runs, outside the work tree)", DefaultValueFactory = _ => GenRecChild.DefaultRuns() };

    public static Command Create()
    {
        var bench = new Command("bench", "Benchmarks that write JSON results");
        var options = new DatasetOptions();
        var name = new Option<string?>("--name") { Description = "Dataset name in the result file names (default: folder name)" };
        var output = OutputOption("floors");
        var split = new Option<SplitKind>("--split") { Description = "leave-one-out or last-item", DefaultValueFactory = _ => SplitKind.LeaveOneOut };
        var embeddings = new Option<string?>("--embeddings") { Description = "Item vectors .npy: also the text-kNN floor on them (genrec text embed)" };
        var noFilter = new Option<bool>("--no-history-filter") { Description = "Keep history items in the ranking (TIGER's protocol); the result names get -unfiltered" };
        var baselines = new Command("baselines", "MostPopular and item-transition baselines (and text kNN with --embeddings), full ranking");
        options.AddTo(baselines);
        baselines.Add(name);
        baselines.Add(output);
        baselines.Add(split);
        baselines.Add(embeddings);
        baselines.Add(noFilter);
        baselines.SetAction(r =>
        {
            var request = options.Request(r);
            var dataset = DatasetLoader.Load(request, Output.Info);
            var datasetName = r.GetValue(name) ?? dataset.Name;
            var splitKind = r.GetValue(split);
            var s = SequenceSplit.Create(dataset, splitKind);
            var vectors = r.GetValue(embeddings) is { } npy ? Text.ItemTextEmbeddings.Import(npy, dataset.NumItems) : ((float[], int)?)null;
            var filter = !r.GetValue(noFilter);
            foreach (var baseline in vectors is null ? BaselineFactory.Names : [.. BaselineFactory.Names, BaselineFactory.TextKnnName])
            {
                var clock = Stopwatch.StartNew();
                var scorer = BaselineFactory.Create(baseline, s.Train, dataset.NumItems, vectors);
                var result = Evaluator.Evaluate(scorer, s.Test, new EvalOptions { FilterHistory = filter });
                var report = BenchReport.Create(
                    baseline + (filter ? "" : "-unfiltered"),
                    datasetName,
                    $"{splitKind}, {result.Protocol}, {s.Test.Length} test users, {dataset.NumItems} items",
                    result.Metrics,
                    clock.Elapsed.TotalSeconds,
                    new { dataset = request.Path, request.Format, request.Options.KCore, request.Options.KCoreMode, split = splitKind, embeddings = baseline == BaselineFactory.TextKnnName ? r.GetValue(embeddings) : null });
                var path = report.Write(r.GetValue(output)!);
                System.Console.WriteLine(report.Summary() + $" -> {path}");
            }

            return 0;
        });
        bench.Add(baselines);
        bench.Add(BenchTrainCommand.Create(OutputOption("retrieval")));
        bench.Add(BenchRankCommand.Create(OutputOption("ranking")));
        bench.Add(BenchServeCommand.Create(OutputOption("serving")));
        bench.Add(BenchAnnCommand.Create(OutputOption("serving")));
        bench.Add(BenchCatalogLiveCommand.Create(OutputOption("serving")));
        bench.Add(BenchArrivalsCommand.Create(OutputOption("catalog")));
        bench.Add(BenchSoakCommand.Create(OutputOption("serving")));
        bench.Add(BenchLoadCommand.Create(OutputOption("serving")));
        bench.Add(BenchSpeedCommand.Create(OutputOption("speed")));
        bench.Add(BenchLlmEsrTableCommand.Create());
        bench.Add(BenchSeedsCommand.Create());
        bench.Add(BenchGridCommand.Create());
        bench.Add(BenchSeedsTableCommand.Create());
        bench.Add(BenchSeedsDiffCommand.Create());
        bench.Add(BenchEpochColumnsCommand.Create());
        bench.Add(BenchColdItemsTableCommand.Create());
        bench.Add(BenchColdItemsRetestCommand.Create());
        bench.Add(BenchTigerCommand.Create());
        bench.Add(BenchTigerSpeedCommand.Create());
        bench.Add(BenchLlmEsrCommand.Create());
        bench.Add(BenchFastPathsCommand.Create());
        bench.Add(BenchToolSpeedCommand.Create());
        bench.Add(BenchLargeLogsCommand.Create());
        bench.Add(BenchGpuCommand.Create());
        bench.Add(BenchDataParallelCommand.Create());
        bench.Add(BenchTwoStageCommand.Create());
        return bench;
    }
}
