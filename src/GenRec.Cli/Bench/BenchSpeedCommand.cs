using GenRec.Cli.Commands;
using GenRec.Configuration;
using System.CommandLine;
using System.Diagnostics;
using GenRec.Compute;
using GenRec.Models;
using GenRec.Training;
using GenRec.Training.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Cli.Bench;

/// <summary>
/// <c>genrec bench speed</c>: training throughput of a retrieval config on fixed-shape synthetic batches
/// (B rows of N + 1 uniformly random items, every position supervised), the config's loss and AdamW,
/// timed after warm-up steps and a device synchronisation: the same shapes and work as
/// <c>bench/reference/sasrec_speed.py</c> does in PyTorch, so the two sequences/s compare like for like.
/// </summary>
internal static class BenchSpeedCommand
{
    public static Command Create(Option<string> output)
    {
        var config = new Option<string>("--config") { Description = "Retrieval config JSON (model, batch size, loss)", Required = true };
        var items = new Option<int>("--items") { Description = "Catalogue size of the synthetic batches (ML-1M: 3,706)", DefaultValueFactory = _ => 3_706 };
        var steps = new Option<int>("--steps") { Description = "Timed optimiser steps", DefaultValueFactory = _ => 200 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed steps first", DefaultValueFactory = _ => 20 };
        var tag = new Option<string?>("--tag") { Description = "Suffix of the result file name (e.g. the fast-path arm)" };
        var device = DeviceOption.Create();
        var command = new Command("speed", "Training sequences/s of a config on fixed-shape synthetic batches (for the PyTorch comparison)") { config, items, steps, warmup, tag, device, output };
        command.SetAction(r =>
        {
            var clock = Stopwatch.StartNew();
            var run = JsonConfig.Load<RunConfig>(BundledFiles.Config(r.GetValue(config)!));
            run = run with { Compute = DeviceOption.Override(run.Compute, r.GetValue(device)) };
            var on = ComputeDevice.Prepare(run.Compute);
            var bf16 = MixedPrecision.On(run.Compute.Precision);
            var (b, n, numItems) = (run.Train.BatchSize, run.Model.MaxSequenceLength, r.GetValue(items));
            manual_seed(run.Seed);
            var model = new SequentialRecommender(run.Model, numItems);
            model.to(on);
            model.train();
            var optimizer = optim.AdamW(model.parameters(), run.Train.LearningRate, run.Train.Beta1, run.Train.Beta2, 1e-8, run.Train.WeightDecay);
            var loss = LossFactory.Create(run.Train);
            var generator = ComputeDevice.NewGenerator((ulong)run.Seed, on);
            var host = new Random(run.Seed);
            var (timed, untimed) = (r.GetValue(steps), r.GetValue(warmup));
            Stopwatch? watch = null;
            for (var s = 0; s < untimed + timed; s++)
            {
                if (s == untimed)
                {
                    Synchronize(on);
                    watch = Stopwatch.StartNew();
                }

                using var scope = NewDisposeScope();
                using var precision = MixedPrecision.Use(bf16);
                var window = Enumerable.Range(0, b * (n + 1)).Select(_ => (long)host.Next(1, numItems + 1)).ToArray(); // [B, N + 1] on the host
                var sequence = tensor(window).view(b, n + 1).ToDevice(on);
                var inputs = sequence[.., ..n];                                                 // [B, N]
                var targets = sequence[.., 1..].reshape(-1);                                    // [B N]
                var states = model.forward(new SequenceInput(inputs));                          // [B, N, D]
                var value = loss.Compute(model, states.reshape(b * n, -1), targets, generator);
                OptimizerStep.Apply(optimizer, value).Dispose();
            }

            Synchronize(on);
            var seconds = watch!.Elapsed.TotalSeconds;
            var metrics = new SortedDictionary<string, double>
            {
                ["sequences_per_second"] = timed * b / seconds,
                ["steps_per_second"] = timed / seconds,
                ["seconds"] = seconds,
            };
            var report = BenchReport.Create(
                $"speed-{run.Model.Encoder}-genrec",
                "synthetic",
                $"training steps on synthetic batches: {b} rows x {n} positions, {numItems} items, every position supervised, {ClosedChoice.Name(run.Train.Loss)} ({run.Train.NumNegatives} {ClosedChoice.Name(run.Train.Negatives)} negatives), AdamW; {timed} steps timed after {untimed}",
                metrics,
                clock.Elapsed.TotalSeconds,
                run);
            System.Console.WriteLine(report.Summary() + $" -> {report.Write(r.GetValue(output)!, r.GetValue(tag))}");
            return 0;
        });
        return command;
    }

    private static void Synchronize(Device device)
    {
        if (device.type == DeviceType.CUDA)
        {
            cuda.synchronize(device);
        }
    }
}
