using System.CommandLine;
using System.Diagnostics;
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
        var config = new Option<string>("--config") { Description = "TIGER config JSON (configs/*-tiger.json)", Required = true };
        var randomIds = new Option<bool>("--random-ids") { Description = "Random semantic IDs instead of the RQ-VAE table (ablation)" };
        var minutes = new Option<double?>("--max-minutes") { Description = "Training budget in minutes (overrides the config)" };
        var epochs = new Option<int?>("--epochs") { Description = "Epochs (overrides the config)" };
        var steps = new Option<int?>("--steps-per-epoch") { Description = "Optimiser steps between validations (overrides the config; 0: a full pass)" };
        var resume = new Option<bool>("--resume") { Description = "Continue from the run folder's last.ckpt" };
        var runDir = new Option<string?>("--run-dir") { Description = "Run folder (default runs/bench-tiger[-random-ids]-<dataset>); keep long runs outside the work tree" };
        var ids = new Option<string?>("--semantic-ids") { Description = "Semantic ID table (TSV; overrides the config's semantic_ids)" };
        var device = DeviceOption.Create();
        var tag = new Option<string?>("--tag") { Description = "Suffix of the bench JSON name (tiger-<tag>-<dataset>.json), for variants" };
        var noTest = new Option<bool>("--no-test") { Description = "Skip the test pass (speed measurements, smoke runs): the bench JSON has the training figures only" };
        var train = new Command("train", "Train TIGER, test it with constrained beam search, write the bench JSON") { config, randomIds, minutes, epochs, steps, resume, runDir, ids, tag, noTest, device, output };
        train.SetAction((r, cancel) =>
        {
            var clock = Stopwatch.StartNew();
            var run = TigerRunConfig.Load(BundledFiles.Config(r.GetValue(config)!));
            run = run with { Train = run.Train with { MaxMinutes = r.GetValue(minutes) ?? run.Train.MaxMinutes, Epochs = r.GetValue(epochs) ?? run.Train.Epochs, StepsPerEpoch = r.GetValue(steps) ?? run.Train.StepsPerEpoch } };
            run = run with { SemanticIds = r.GetValue(ids) ?? run.SemanticIds, Compute = DeviceOption.Override(run.Compute, r.GetValue(device)) };
            var random = r.GetValue(randomIds) || run.SemanticIds == "random";
            var dataset = DatasetLoader.Load(run.Data.ToRequest(DatasetRequest.DefaultCacheDir), Output.Info);
            var table = random ? SemanticIdFile.Random(dataset.NumItems, levels: 3, codebookSize: 256, run.Seed) : SemanticIdFile.Read(run.SemanticIds, dataset);
            var name = (random ? "tiger-random-ids" : "tiger") + (r.GetValue(tag) is { Length: > 0 } t ? $"-{t}" : "");
            var datasetName = Path.GetFileName(Path.GetFullPath(run.Data.Path).TrimEnd('/'));
            var outDir = r.GetValue(runDir) ?? Path.Combine("runs", $"bench-{name}-{datasetName}");
            Output.Info($"training {name} on {dataset.Name} ({dataset.NumUsers:N0} users, {dataset.NumItems:N0} items, IDs of {table[1].Length} codes from {(random ? "random codes" : run.SemanticIds)}); run folder {outDir}");
            var result = ProgressObserver.Run(observer => TigerTrainer.Run(run, dataset, table, outDir, r.GetValue(resume), observer, cancel, test: !r.GetValue(noTest)));
            if (result.Interrupted)
            {
                return Task.FromResult(130);
            }

            if (result.Test.Count > 0)
            {
                Output.Metrics($"{name} test (epoch {result.BestEpoch} of {result.EpochsRun})", result.Test, [.. result.Test.Keys]);
            }

            var report = BenchReport.Create(
                name,
                datasetName,
                r.GetValue(noTest) ? "not tested (--no-test): training figures only"
                    : $"leave-one-out, test users' next item; constrained beam search ({run.Train.Beams} beams) over the item ID trie, no history filtering; model of epoch {result.BestEpoch}",
                result.Test,
                clock.Elapsed.TotalSeconds,
                run,
                TrainingSummary.Of(result.EpochsRun, run.Train.Epochs, result.BestEpoch, result.StopReason, result.Steps, result.TrainSeconds, result.ExamplesPerSecond, result.BestValidation, new { examples_seen = result.ExamplesSeen, beams = run.Train.Beams, threads = TorchSharp.torch.get_num_threads() }));
            System.Console.WriteLine(report.Summary() + $" -> {report.Write(r.GetValue(output)!)}");
            return Task.FromResult(0);
        });
        return new Command("tiger", "TIGER generative retrieval") { train };
    }
}
