using GenRec.Cli.Commands;
using GenRec.Scoring;
using GenRec.Checkpoints;
using GenRec.Configuration;
using System.CommandLine;
using System.Diagnostics;
using GenRec.Data;
using GenRec.Data.Splits;
using GenRec.Evaluation;
using GenRec.Evaluation.LongTail;
using GenRec.Training;

namespace GenRec.Cli.Bench;

/// <summary>
/// <c>genrec bench train</c>: trains and tests one config and writes
/// <c>bench/results/&lt;model&gt;-&lt;dataset&gt;.json</c> with the test metrics, epochs, wall time,
/// training throughput (sequences/s), peak memory and git revision.
/// </summary>
internal static class BenchTrainCommand
{
    public static Command Create(Option<string> output)
    {
        var options = new RunOptions("Run folder (default runs/bench-<model>-<dataset>)");
        var model = new Option<string?>("--model") { Description = "Model name in the result file name (default: the encoder)" };
        var dataset = new Option<string?>("--dataset") { Description = "Dataset name in the result file name (default: the data folder name)" };
        var tag = new Option<string?>("--tag") { Description = "Suffix of the result file name (e.g. seed42)" };
        var longTail = new Option<bool>("--long-tail") { Description = "Also evaluate with 100 sampled negatives, both protocols broken down by head/tail items and users (LLM-ESR)" };
        var withoutLlmEsr = new Option<bool>("--without-llm-esr") { Description = "Train the config's backbone without LLM-ESR (ID embeddings only, no self-distillation)" };
        var textEmbeddings = new Option<string?>("--text-embeddings") { Description = "Item text embeddings .npy for LLM-ESR (= --set llm_esr.embeddings=...; e.g. from `genrec text embed`)" };
        var coldStart = new Option<string?>("--cold-start") { Description = "Also test with only the first N history items of each user, for each N given (e.g. 0,1,3): a simulated cold start" };
        var coldItems = ColdItemsOption();
        var command = new Command("train", "Train and test a retrieval config; write its benchmark JSON") { model, dataset, tag, longTail, withoutLlmEsr, textEmbeddings, coldStart, coldItems, output };
        options.AddTo(command);
        command.SetAction((r, cancel) =>
        {
            var clock = Stopwatch.StartNew();
            var run = options.Load<RunConfig>(r);
            if (r.GetValue(textEmbeddings) is { } npy && run.LlmEsr is not null)
            {
                run = run with { LlmEsr = run.LlmEsr with { Embeddings = npy } };
            }

            run = r.GetValue(withoutLlmEsr) ? run.WithoutLlmEsr() : run;
            var job = new BenchTrainJob(
                run,
                r.GetValue(model) ?? run.Model.Encoder,
                r.GetValue(dataset),
                r.GetValue(options.Out),
                r.GetValue(options.Resume),
                r.GetValue(output)!,
                r.GetValue(tag),
                r.GetValue(longTail),
                r.GetValue(coldStart) is { } text ? Evaluation.ColdStartTest.ParsePrefixes(text, "--cold-start") : null, // before hours of training
                ColdItemText(r.GetValue(coldItems), run.Data));
            return Task.FromResult(Run(job, cancel) is null ? 130 : 0);
        });
        return command;
    }

    /// <summary>One bench training run: the config, the names in the result file, the run folder and the extra tests.</summary>
    /// <summary>The <c>--cold-items</c> option: item text vectors for the cold-item test of a run with <c>data.cold_item_share</c>.</summary>
    internal static Option<string?> ColdItemsOption() =>
        new("--cold-items") { Description = "Item text vectors .npy (genrec text embed): after training with data.cold_item_share, the cold-item test (mapped cold rows, cold and warm targets, text-kNN floor)" };

    /// <summary>The vectors' path, checked against the config before hours of training.</summary>
    internal static string? ColdItemText(string? npy, DataConfig data) => npy switch
    {
        null => null,
        _ when data.ColdItemShare <= 0 => throw new ArgumentException("--cold-items: the config removes no items (set data.cold_item_share, e.g. --set data.cold_item_share=0.05)"),
        _ when !File.Exists(npy) => throw new FileNotFoundException($"--cold-items: {npy} does not exist (genrec text embed <data> --out {npy})"),
        _ => npy,
    };

    internal sealed record BenchTrainJob(RunConfig Run, string Model, string? Dataset, string? RunFolder, bool Resume, string Results, string? Tag, bool LongTail = false, int[]? ColdStart = null, string? ColdItemText = null)
    {
        public string DatasetName => Dataset ?? Path.GetFileName(Path.GetFullPath(Run.Data.Path).TrimEnd('/'));

        public string OutDir => RunFolder ?? Path.Combine("runs", $"bench-{Model}-{DatasetName}");
    }

    /// <summary>Trains and tests the job's run and writes its bench JSON; the JSON's path ("" on a data-parallel rank other than 0, which writes nothing), or null when interrupted.</summary>
    internal static string? Run(BenchTrainJob job, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var run = job.Run;
        var outDir = job.OutDir;
        var prepared = DatasetLoader.Load(run.Data.ToRequest(DatasetRequest.DefaultCacheDir), Terminal.Output.Info);
        var result = TrainCommand.Retrieval(run, outDir, job.Resume, cancel, prepared);
        if (result.Interrupted)
        {
            return null;
        }

        if (GenRec.Distributed.ProcessGroups.Current.Rank != 0)
        {
            return "";                                                                          // one rank of a data-parallel run: rank 0 tests and writes
        }

        var breakdown = job.LongTail ? LongTailOf(run, prepared, result.Checkpoint) : null;
        var coldStartRows = job.ColdStart is { } prefixes ? ColdStartOf(run, prepared, result.Checkpoint, prefixes) : null;
        var coldItems = job.ColdItemText is { } npy ? ColdItemsOf(run, prepared, result.Checkpoint, npy, job.Model) : null;

        // With test_every_epoch, the last epoch's test beside the selected one's (metrics.jsonl has every epoch's).
        var tested = EpochLoop.ReadLog(Path.Combine(outDir, "metrics.jsonl")).LastOrDefault(e => e.Test is not null);
        var training = TrainingSummary.Of(result.EpochsRun, run.Train.Epochs, result.BestEpoch, result.StopReason, result.Steps, result.TrainSeconds, result.SamplesPerSecond, result.BestValidation,
            tested is null ? null : new { select_on = run.Train.SelectOn, last_tested_epoch = tested.Epoch, last_epoch_test = tested.Test }) with { DataParallel = result.DataParallel };
        var report = BenchReport.Create(
            job.Model,
            job.DatasetName,
            $"{run.Data.Split}, full ranking over all items, {run.Train.EvalOptions(run.Model.MaxSequenceLength).FilterDescription}; model of epoch {(result.BestEpoch > 0 ? result.BestEpoch : result.EpochsRun)}{(run.Train.SelectOn == SelectOn.SecondToLast ? " (selected on each user's second-to-last item)" : "")}",
            result.Test,
            clock.Elapsed.TotalSeconds,
            run,
            training,
            breakdown) with { ColdStart = coldStartRows, ColdItems = coldItems };
        var path = report.Write(job.Results, job.Tag);
        System.Console.WriteLine(report.Summary() + $"; {result.EpochsRun}/{run.Train.Epochs} epochs, {result.SamplesPerSecond:F1} seq/s, peak {training.PeakMemoryMb:F0} MB -> {path}");
        return path;
    }

    // The cold-item test: the cold rows from the warm items' content mapping, cold and warm targets apart, beside the floors.
    internal static object ColdItemsOf(RunConfig run, SequenceDataset dataset, string checkpoint, string npy, string modelName)
    {
        using var model = Checkpoint.Open(checkpoint, new() { Device = Compute.ComputeDevice.Resolve(run.Compute.Device), Dataset = dataset, WithCatalog = false }).TakeRetrieval("the cold-item test");
        var text = Text.ItemTextEmbeddings.Import(npy, dataset.NumItems);
        var report = Catalog.ColdItemEvaluation.Run(model, dataset, run, text, modelName, line => System.Console.WriteLine($"  {line}"));
        return new
        {
            share = run.Data.ColdItemShare,
            protocol = "cold items outside the training catalogue: no loss scored or sampled them, validation did not rank them; their ID rows come from a content mapping fitted on the warm items",
            // The mapping a user would deploy: chosen on validation cases of warm items held out from the fit, never on the test cases.
            selected_mapping = report.Selection?.Chosen,
            selection = report.Selection is { } chosen ? new
            {
                held_out_items = chosen.HeldOutItems.Count,
                held_out_cases = chosen.HeldOutCases,
                validation_hr10 = chosen.Kinds.ToDictionary(k => k.Key, k => new { held_out_items = k.Value.HeldOutHr10, other_items = k.Value.OtherHr10 }),
            } : null,
            cold_items = report.ColdItems,
            cold_cases = report.ColdCases,
            warm_cases = report.WarmCases,
            warm_items = report.WarmItems,
            text_embeddings = npy,
            mappings = report.Mappings.ToDictionary(m => m.Key, m => new { r2 = m.Value.R2, cosine = m.Value.Cosine, true_row_in_top10 = m.Value.TrueRowInTop10, held_out = m.Value.HeldOut }),
            arms = report.Arms.ToDictionary(a => a.Name, a => new { cold = a.Cold.Metrics, warm = a.Warm.Metrics }),
        };
    }

    // The test cases with only the first N history items, for each N, with the model and with most-popular (no history needed).
    private static Evaluation.ColdStartTest.Row[] ColdStartOf(RunConfig run, SequenceDataset dataset, string checkpoint, int[] prefixes)
    {
        var (split, _) = Trainer.SplitOf(dataset, run);
        using var model = Checkpoint.Open(checkpoint, new() { Device = Compute.ComputeDevice.Resolve(run.Compute.Device), Dataset = dataset, WithCatalog = false }).TakeRetrieval("the cold-start test");
        var scorer = new ModelScorer(model, FeatureResolution.UsersFor(model.Config, dataset));
        var popular = Models.Baselines.BaselineFactory.Create("most-popular", split.Train, dataset.NumItems, null);
        return Evaluation.ColdStartTest.Run(scorer, model.UserFeatureCount > 0, popular, split.Test, prefixes, run.Train.EvalOptions(run.Model.MaxSequenceLength));
    }

    // The test cases of the run's data under three protocols (full ranking, 100 uniform and 100 popularity-sampled
    // negatives), by head/tail items and users under two groupings: the 20% share (first) and the paper's thresholds.
    private static LongTailEvaluation[] LongTailOf(RunConfig run, SequenceDataset dataset, string checkpoint)
    {
        var (split, _) = Trainer.SplitOf(dataset, run);
        using var model = Checkpoint.Open(checkpoint, new() { Device = Compute.ComputeDevice.Resolve(run.Compute.Device), Dataset = dataset, WithCatalog = false }).TakeRetrieval("the long-tail test");
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
