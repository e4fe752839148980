using System.CommandLine;
using System.Diagnostics;
using GenRec.Data;
using GenRec.Data.Splits;
using GenRec.Evaluation;
using GenRec.Evaluation.LongTail;
using GenRec.Training;

namespace GenRec.Cli.Commands;

/// <summary>
/// <c>genrec bench train</c>: trains and tests one config and writes
/// <c>bench/results/&lt;model&gt;-&lt;dataset&gt;.json</c> with the test metrics, epochs, wall time,
/// training throughput (sequences/s), peak memory and git revision.
/// </summary>
internal static class BenchTrainCommand
{
    public static Command Create(Option<string> output)
    {
        var config = new Option<string>("--config") { Description = "Run config JSON (configs/*.json)", Required = true };
        var model = new Option<string?>("--model") { Description = "Model name in the result file name (default: the encoder)" };
        var dataset = new Option<string?>("--dataset") { Description = "Dataset name in the result file name (default: the data folder name)" };
        var data = new Option<string?>("--data") { Description = "Dataset file or folder (overrides the config)" };
        var minutes = new Option<double?>("--max-minutes") { Description = "Training time budget in minutes (overrides the config)" };
        var epochs = new Option<int?>("--epochs") { Description = "Number of epochs (overrides the config)" };
        var runDir = new Option<string?>("--run-dir") { Description = "Run folder (default runs/bench-<model>-<dataset>)" };
        var resume = new Option<bool>("--resume") { Description = "Continue from the run folder's last.ckpt" };
        var seed = new Option<int?>("--seed") { Description = "Random seed (overrides the config)" };
        var tag = new Option<string?>("--tag") { Description = "Suffix of the result file name (e.g. seed42)" };
        var longTail = new Option<bool>("--long-tail") { Description = "Also evaluate with 100 sampled negatives, both protocols broken down by head/tail items and users (LLM-ESR)" };
        var withoutLlmEsr = new Option<bool>("--without-llm-esr") { Description = "Train the config's backbone without LLM-ESR (ID embeddings only, no self-distillation)" };
        var textEmbeddings = new Option<string?>("--text-embeddings") { Description = "Item text embeddings .npy for LLM-ESR (overrides llm_esr.embeddings; e.g. from `genrec text embed`)" };
        var coldStart = new Option<string?>("--cold-start") { Description = "Also test with only the first N history items of each user, for each N given (e.g. 0,1,3): a simulated cold start" };
        var device = DeviceOption.Create();
        var command = new Command("train", "Train and test a config; write its benchmark JSON") { config, model, dataset, data, minutes, epochs, runDir, resume, seed, tag, longTail, withoutLlmEsr, textEmbeddings, coldStart, device, output };
        command.SetAction((r, cancel) =>
        {
            var clock = Stopwatch.StartNew();
            var run = BundledFiles.WithBundledData(TrainCommand.WithOverrides(RunConfig.Load(BundledFiles.Config(r.GetValue(config)!)), r.GetValue(data), r.GetValue(epochs), r.GetValue(minutes)));
            run = run with { Seed = r.GetValue(seed) ?? run.Seed, Compute = DeviceOption.Override(run.Compute, r.GetValue(device)) };
            if (r.GetValue(textEmbeddings) is { } npy && run.LlmEsr is not null)
            {
                run = run with { LlmEsr = run.LlmEsr with { Embeddings = npy } };
            }

            run = r.GetValue(withoutLlmEsr) ? run.WithoutLlmEsr() : run;
            var modelName = r.GetValue(model) ?? run.Model.Encoder;
            var datasetName = r.GetValue(dataset) ?? Path.GetFileName(Path.GetFullPath(run.Data.Path).TrimEnd('/'));
            var outDir = r.GetValue(runDir) ?? Path.Combine("runs", $"bench-{modelName}-{datasetName}");
            var coldStartPrefixes = r.GetValue(coldStart) is { } text ? Evaluation.ColdStartTest.ParsePrefixes(text, "--cold-start") : null; // before hours of training
            var prepared = DatasetLoader.Load(run.Data.ToRequest(DatasetRequest.DefaultCacheDir), Terminal.Output.Info);
            var result = TrainCommand.Execute(run, outDir, r.GetValue(resume), cancel, prepared);
            if (result.Interrupted)
            {
                return Task.FromResult(130);
            }

            var breakdown = r.GetValue(longTail) ? LongTailOf(run, prepared, result.Checkpoint) : null;
            var coldStartRows = coldStartPrefixes is null ? null : ColdStartOf(run, prepared, result.Checkpoint, coldStartPrefixes);

            // With test_every_epoch, the last epoch's test beside the selected one's (metrics.jsonl has every epoch's).
            var tested = EpochLoop.ReadLog(Path.Combine(outDir, "metrics.jsonl")).LastOrDefault(e => e.Test is not null);
            var training = TrainingSummary.Of(result.EpochsRun, run.Train.Epochs, result.BestEpoch, result.StopReason, result.Steps, result.TrainSeconds, result.SamplesPerSecond, result.BestValidation,
                tested is null ? null : new { select_on = run.Train.SelectOn, last_tested_epoch = tested.Epoch, last_epoch_test = tested.Test });
            var report = BenchReport.Create(
                modelName,
                datasetName,
                $"{run.Data.Split}, full ranking over all items, {run.Train.EvalOptions(run.Model.MaxSequenceLength).FilterDescription}; model of epoch {(result.BestEpoch > 0 ? result.BestEpoch : result.EpochsRun)}{(run.Train.SelectOn == "second_to_last" ? " (selected on each user's second-to-last item)" : "")}",
                result.Test,
                clock.Elapsed.TotalSeconds,
                run,
                training,
                breakdown) with { ColdStart = coldStartRows };
            var path = report.Write(r.GetValue(output)!, r.GetValue(tag));
            System.Console.WriteLine(report.Summary() + $"; {result.EpochsRun}/{run.Train.Epochs} epochs, {result.SamplesPerSecond:F1} seq/s, peak {training.PeakMemoryMb:F0} MB -> {path}");
            return Task.FromResult(0);
        });
        return command;
    }

    // The test cases with only the first N history items, for each N, with the model and with most-popular (no history needed).
    private static Evaluation.ColdStartTest.Row[] ColdStartOf(RunConfig run, SequenceDataset dataset, string checkpoint, int[] prefixes)
    {
        var split = SequenceSplit.Create(dataset, run.Data.Split);
        var (model, _) = Checkpoint.LoadModel(checkpoint, Compute.ComputeDevice.Resolve(run.Compute.Device));
        using var _ = model;
        var scorer = new ModelScorer(model, FeatureResolution.UsersFor(model.Config, dataset));
        var popular = Models.Baselines.BaselineFactory.Create("most-popular", split.Train, dataset.NumItems, null);
        return Evaluation.ColdStartTest.Run(scorer, model.UserFeatureCount > 0, popular, split.Test, prefixes, run.Train.EvalOptions(run.Model.MaxSequenceLength));
    }

    // The test cases of the run's data under three protocols (full ranking, 100 uniform and 100 popularity-sampled
    // negatives), by head/tail items and users under two groupings: the 20% share (first) and the paper's thresholds.
    private static LongTailEvaluation[] LongTailOf(RunConfig run, SequenceDataset dataset, string checkpoint)
    {
        var split = SequenceSplit.Create(dataset, run.Data.Split);
        var (model, _) = Checkpoint.LoadModel(checkpoint, Compute.ComputeDevice.Resolve(run.Compute.Device));
        var popularity = LongTailGroups.Popularity(split.Train, dataset.NumItems).Select(c => (double)c).ToArray();
        LongTailGroups[] groupings = [LongTailGroups.ByShare(dataset.Sequences, dataset.NumItems), LongTailGroups.Paper(dataset.Sequences, dataset.NumItems)];
        var evaluations = LongTailEvaluation.Run(new ModelScorer(model, FeatureResolution.UsersFor(model.Config, dataset)), split.Test, groupings, batchSize: run.Train.EvalBatchSize, popularity: popularity);
        foreach (var evaluation in evaluations)
        {
            System.Console.WriteLine(evaluation.Groups);
            foreach (var (name, groups) in new[] { ("full ranking", evaluation.FullRanking), ($"{evaluation.SampledNegatives} uniform negatives", evaluation.Sampled), ($"{evaluation.SampledNegatives} popularity negatives", evaluation.PopularitySampled!) })
            {
                System.Console.WriteLine($"  {name}: " + string.Join("  ", LongTailReport.GroupNames.Select(g => $"{g} n={groups[g]["count"]:F0} hr@10={groups[g]["hr@10"]:F4} ndcg@10={groups[g]["ndcg@10"]:F4}")));
            }
        }

        return evaluations;
    }
}
