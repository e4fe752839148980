using System.CommandLine;
using System.Diagnostics;
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
        var command = new Command("train", "Train and test a config; write its benchmark JSON") { config, model, dataset, data, minutes, epochs, runDir, resume, output };
        command.SetAction((r, cancel) =>
        {
            var clock = Stopwatch.StartNew();
            var run = TrainCommand.WithOverrides(RunConfig.Load(r.GetValue(config)!), r.GetValue(data), r.GetValue(epochs), r.GetValue(minutes));
            var modelName = r.GetValue(model) ?? run.Model.Encoder;
            var datasetName = r.GetValue(dataset) ?? Path.GetFileName(Path.GetFullPath(run.Data.Path).TrimEnd('/'));
            var outDir = r.GetValue(runDir) ?? Path.Combine("runs", $"bench-{modelName}-{datasetName}");
            var result = TrainCommand.Execute(run, outDir, r.GetValue(resume), cancel);
            if (result.Interrupted)
            {
                return Task.FromResult(130);
            }

            var training = TrainingSummary.Of(result.EpochsRun, run.Train.Epochs, result.BestEpoch, null, result.Steps, result.TrainSeconds, result.SamplesPerSecond, result.BestValidation);
            var report = BenchReport.Create(
                modelName,
                datasetName,
                $"{run.Data.Split}, full ranking over all items, history filtered; model of epoch {(result.BestEpoch > 0 ? result.BestEpoch : result.EpochsRun)}",
                result.Test,
                clock.Elapsed.TotalSeconds,
                run,
                training);
            var path = report.Write(r.GetValue(output)!);
            System.Console.WriteLine(report.Summary() + $"; {result.EpochsRun}/{run.Train.Epochs} epochs, {result.SamplesPerSecond:F1} seq/s, peak {training.PeakMemoryMb:F0} MB -> {path}");
            return Task.FromResult(0);
        });
        return command;
    }
}
