using GenRec.Configuration;
using System.CommandLine;
using System.Diagnostics;
using GenRec.Cli.Bench;
using GenRec.Cli.Terminal;
using GenRec.Data;
using GenRec.Training.Tiger;

namespace GenRec.Cli.Commands;

/// <summary>
/// <c>genrec tiger train</c>: trains and tests TIGER on a semantic ID table (or random IDs, the
/// paper's ablation) and writes <c>bench/results/tiger[-random-ids]-&lt;dataset&gt;.json</c>.
/// </summary>
internal static class TigerCommand
{
    public static Command Create(Option<string> output)
    {
        var options = new RunOptions("Run folder (default runs/bench-tiger[-random-ids]-<dataset>); keep long runs outside the work tree");
        var randomIds = new Option<bool>("--random-ids") { Description = "Random semantic IDs instead of the RQ-VAE table (ablation; = --set semantic_ids=random)" };
        var steps = new Option<int?>("--steps-per-epoch") { Description = "Optimiser steps between validations (= --set train.steps_per_epoch=...; 0: a full pass)" };
        var ids = new Option<string?>("--semantic-ids") { Description = "Semantic ID table (TSV; = --set semantic_ids=...)" };
        var tag = new Option<string?>("--tag") { Description = "Suffix of the bench JSON name (tiger-<tag>-<dataset>.json), for variants" };
        var noTest = new Option<bool>("--no-test") { Description = "Skip the test pass (speed measurements, smoke runs): the bench JSON has the training figures only" };
        var coldItems = new Option<string?>("--cold-items") { Description = "With data.cold_item_share: item text vectors (.npy from genrec text embed) for the cold-item test (cold and warm targets apart; closed trie, extended trie and TIGER's cold-start rule, beside text kNN on these vectors)" };
        var train = new Command("train", "Train TIGER, test it with constrained beam search, write the bench JSON (genrec train --config trains it without the JSON)") { randomIds, steps, ids, tag, noTest, coldItems, output };
        options.AddTo(train);
        train.SetAction((r, cancel) =>
        {
            var clock = Stopwatch.StartNew();
            var run = options.Load<TigerRunConfig>(r);
            run = run with { Train = run.Train with { StepsPerEpoch = r.GetValue(steps) ?? run.Train.StepsPerEpoch }, SemanticIds = r.GetValue(randomIds) ? "random" : r.GetValue(ids) ?? run.SemanticIds };
            var random = run.SemanticIds == "random";
            var dataset = DatasetLoader.Load(run.Data.ToRequest(DatasetRequest.DefaultCacheDir), Output.Info);
            var name = (random ? "tiger-random-ids" : "tiger") + (r.GetValue(tag) is { Length: > 0 } t ? $"-{t}" : "");
            var datasetName = Path.GetFileName(Path.GetFullPath(run.Data.Path).TrimEnd('/'));
            var outDir = r.GetValue(options.Out) ?? Path.Combine("runs", $"bench-{name}-{datasetName}");
            var text = BenchTrainCommand.ColdItemText(r.GetValue(coldItems), run.Data);      // checked before hours of training

            var result = TrainCommand.Tiger(run, outDir, r.GetValue(options.Resume), cancel, test: !r.GetValue(noTest), dataset, text);
            if (result.Interrupted || !result.Reports)
            {
                return Task.FromResult(result.Interrupted ? 130 : 0);
            }

            var report = BenchReport.Create(
                name,
                datasetName,
                r.GetValue(noTest) ? "not tested (--no-test): training figures only"
                    : $"leave-one-out, test users' next item; constrained beam search ({run.Train.Beams} beams) over the item ID trie, no history filtering; model of epoch {result.BestEpoch}",
                result.Test,
                clock.Elapsed.TotalSeconds,
                run,
                TrainingSummary.Of(result.EpochsRun, run.Train.Epochs, result.BestEpoch, result.StopReason, result.Steps, result.TrainSeconds, result.ExamplesPerSecond, result.BestValidation, new { examples_seen = result.ExamplesSeen, flops_per_target = result.FlopsPerTarget, beams = run.Train.Beams, threads = TorchSharp.torch.get_num_threads() }) with { DataParallel = result.DataParallel })
                with { ColdItems = result.ColdItems is { } c ? ColdItemsJson(c, run, text!) : null };
            System.Console.WriteLine(report.Summary() + $" -> {report.Write(r.GetValue(output)!)}");
            return Task.FromResult(0);
        });
        return new Command("tiger", "TIGER generative retrieval") { train };
    }

    private static object ColdItemsJson(TigerColdItemTest.Report report, TigerRunConfig run, string text) => new
    {
        share = run.Data.ColdItemShare,
        protocol = "cold items out of training and validation (never a target or an input); their semantic IDs from the frozen RQ-VAE (genrec semantic-ids --cold-item-share); "
            + $"test users whose next item is cold and the rest apart; no history filtering; the cold-start rule fills a top {TigerColdItemTest.ListLength} with at most floor(epsilon x {TigerColdItemTest.ListLength}) cold items",
        cold_items = report.ColdItems,
        cold_items_sharing_codes = report.ColdItemsSharingCodes,
        cold_cases = report.ColdCases,
        warm_cases = report.WarmCases,
        text_embeddings = text,
        arms = report.Arms.ToDictionary(a => a.Name, a => new { cold = a.Cold, warm = a.Warm }),
    };
}
