using System.CommandLine;
using GenRec.Cli.Terminal;
using GenRec.Data;
using GenRec.Training;

namespace GenRec.Cli.Commands;

/// <summary><c>genrec train</c>: trains a model from a JSON config, with checkpoints and resume.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "Run config: a JSON file, or a built-in config by name (quickstart, ml-1m-sasrec, ...); defaults reproduce generative-recommenders' ML-1M SASRec" };
        var data = new Option<string?>("--data") { Description = "Dataset file or folder (overrides the config)" };
        var seed = new Option<int?>("--seed") { Description = "Random seed (overrides the config)" };
        var epochs = new Option<int?>("--epochs") { Description = "Number of epochs (overrides the config)" };
        var minutes = new Option<double?>("--max-minutes") { Description = "Time budget in minutes (overrides the config)" };
        var output = new Option<string?>("--out") { Description = "Run folder (default runs/<name>)" };
        var resume = new Option<bool>("--resume") { Description = "Continue from the run folder's last.ckpt" };
        var device = DeviceOption.Create();
        var command = new Command("train", "Train a sequential recommender") { config, data, seed, epochs, minutes, output, resume, device };
        command.SetAction((r, cancel) =>
        {
            var run = BundledFiles.WithBundledData(WithOverrides(r.GetValue(config) is { } path ? RunConfig.Load(BundledFiles.Config(path)) : new RunConfig(), r.GetValue(data), r.GetValue(epochs), r.GetValue(minutes)));
            run = run with { Seed = r.GetValue(seed) ?? run.Seed, Compute = DeviceOption.Override(run.Compute, r.GetValue(device)) };
            var outDir = r.GetValue(output) ?? Path.Combine("runs", run.Name);
            var result = Execute(run, outDir, r.GetValue(resume), cancel);
            return Task.FromResult(result.Interrupted ? 130 : 0);
        });
        return command;
    }

    /// <summary>The command-line overrides of a config: data path, epochs, time budget (null keeps the config's).</summary>
    public static RunConfig WithOverrides(RunConfig run, string? dataPath, int? epochs, double? maxMinutes) => run with
    {
        Data = dataPath is { } d ? run.Data with { Path = d } : run.Data,
        Train = run.Train with
        {
            Epochs = epochs ?? run.Train.Epochs,
            MaxMinutes = maxMinutes ?? run.Train.MaxMinutes,
        },
    };

    /// <summary>Trains the run on its data (loaded here unless the caller already has it).</summary>
    public static TrainingResult Execute(RunConfig run, string outDir, bool resume, CancellationToken cancel, SequenceDataset? dataset = null)
    {
        dataset ??= DatasetLoader.Load(run.Data.ToRequest(DatasetRequest.DefaultCacheDir), Output.Info);
        Output.Info($"training {run.Model.Encoder} on {dataset.Name}: {dataset.NumUsers:N0} users, {dataset.NumItems:N0} items; seed {run.Seed}; run folder {outDir}");
        var result = ProgressObserver.Run(observer => Trainer.Run(run, dataset, outDir, resume, observer, cancel));
        if (!result.Interrupted)
        {
            Output.Info($"{result.EpochsRun} epochs, {result.Steps} steps, {result.TrainSeconds:F0} s training, {result.SamplesPerSecond:F1} sequences/s; best epoch {result.BestEpoch}; checkpoint {result.Checkpoint}");
            Output.Metrics($"test ({run.Data.Split}, full ranking, {run.Train.EvalOptions(run.Model.MaxSequenceLength).FilterDescription})", result.Test, Output.HeadlineKeys);
        }

        return result;
    }
}
