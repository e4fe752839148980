using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GenRec.Compute;
using GenRec.Configuration;
using GenRec.Util;

namespace GenRec.Cli.Bench;

/// <summary>
/// <c>genrec bench tiger-speed &lt;dataset&gt; --semantic-ids T</c>: TIGER's training throughput on this machine, one variant
/// after the other: the config as it is (fp32), bf16 matrix products, without the collision code in the encoder input (a
/// quarter fewer input tokens), and MKL's AVX2 vendor path instead of its AVX-512 kernels (on AMD processors; set in the
/// child's environment). Each variant trains <c>--epochs</c> x <c>--steps</c> steps from scratch, validating on 20 users
/// with 2 beams, untested. <c>bench/results/tiger/tiger-speed/&lt;variant&gt;-&lt;dataset&gt;.json</c> has examples/s and
/// <c>intervals-&lt;dataset&gt;.json</c> each interval's per variant. Ratios between the variants of one run are the claim.
/// </summary>
internal static class BenchTigerSpeedCommand
{
    private sealed record Variant(string Name, string[] Sets, Dictionary<string, string?> Environment);

    public static Command Create()
    {
        var dataset = new Argument<string>("dataset") { Description = "Dataset whose configs/<dataset>-tiger.json is timed" };
        var ids = new Option<string>("--semantic-ids") { Description = "Semantic ID table (TSV), e.g. ~/genrec-runs/ids/amazon-beauty-minilm.tsv from bench tiger", Required = true };
        var epochs = new Option<int>("--epochs") { Description = "Intervals per variant (the first includes the heap's warm-up)", DefaultValueFactory = _ => 3 };
        var steps = new Option<int>("--steps") { Description = "Training steps per interval", DefaultValueFactory = _ => 12 };
        var runs = BenchCommand.RunsOption();
        var results = BenchCommand.OutputOption("tiger/tiger-speed");
        var command = new Command("tiger-speed", "TIGER training examples/s of fp32, bf16, no collision code in the input and MKL's AVX2 path, one after the other")
        {
            dataset, ids, epochs, steps, runs, results,
        };
        command.SetAction(r =>
        {
            var name = r.GetValue(dataset)!;
            var out_ = r.GetValue(results)!;
            var runFolders = Path.Combine(r.GetValue(runs)!, "tiger-speed");
            Variant[] variants =
            [
                new("fp32", [], []),
                new("bf16", ["--set", "compute.precision=bf16"], []),
                new("no-collision-input", ["--set", "model.input_collision_code=false"], []),
                new("mkl-avx2", [], new() { [MklVendorDispatch.DisableVariable] = "1" }),
            ];
            var intervals = new JsonObject();
            foreach (var variant in variants)
            {
                var runFolder = Path.Combine(runFolders, $"run-{variant.Name}");
                if (Directory.Exists(runFolder))
                {
                    Directory.Delete(runFolder, recursive: true);
                }

                GenRecChild.RunChecked($"tiger-speed {variant.Name}",
                [
                    "tiger", "train", "--config", Path.Combine("configs", $"{name}-tiger.json"),
                    "--set", "train.max_validation_users=20", "--set", "train.beams=2", "--set", "train.warmup_steps=5", .. variant.Sets,
                    "--semantic-ids", r.GetValue(ids)!, "--epochs", Invariant(r.GetValue(epochs)), "--steps-per-epoch", Invariant(r.GetValue(steps)),
                    "--no-test", "--tag", $"speed-{variant.Name}", "--out", runFolder, "--results", out_,
                ], variant.Environment);
                // Examples/s per interval: the first includes the heap's warm-up, the last is the steady rate.
                var rates = IntervalRates(Path.Combine(runFolder, "metrics.jsonl"));
                Console.WriteLine($"  examples/s per interval: {string.Join(' ', rates.Select(x => x.ToString("F1", CultureInfo.InvariantCulture)))}");
                intervals[variant.Name] = new JsonArray([.. rates.Select(x => JsonValue.Create(x))]);
            }

            Directory.CreateDirectory(out_);
            AtomicFile.WriteAllText(Path.Combine(out_, $"intervals-{name}.json"), intervals.ToJsonString(RunConfig.Json) + "\n");
            return 0;
        });
        return command;
    }

    /// <summary>Each interval's <c>samples_per_second</c> of a run's metrics.jsonl, to one decimal.</summary>
    internal static double[] IntervalRates(string metricsJsonl) =>
        [.. Training.EpochLoop.ReadLog(metricsJsonl).Select(e => Math.Round(e.SamplesPerSecond, 1))];

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
