using System.CommandLine;
using System.Globalization;

namespace GenRec.Cli.Bench;

/// <summary>
/// <c>genrec bench gpu --results OUT --semantic-ids T</c>: the GPU benchmark in one short call on a GPU machine
/// (<c>bench/gpu.sh run</c> unpacks the build, points <c>GENREC_LIBTORCH</c> at the machine's PyTorch and calls this).
/// <c>genrec doctor</c>; GenRec and PyTorch SASRec training speed on the same device (<c>bench/reference/sasrec_speed.py</c>,
/// where PyTorch is installed); ML-1M SASRec, HSTU and HSTU-large, each capped at <c>--minutes</c>; Amazon Beauty TIGER.
/// With <c>--part tiger</c> only TIGER, for <c>--tiger-minutes</c>. Every step's output is also in <c>OUT/gpu-log.txt</c>.
/// A CPU dry run checks the steps before device time is spent on them:
/// <c>genrec bench gpu --results /tmp/gpu-dry --device cpu --minutes 0.1 --speed-steps 3 --skip-tiger --semantic-ids x</c>.
/// </summary>
internal static class BenchGpuCommand
{
    public static Command Create()
    {
        var results = new Option<string>("--results") { Description = "Folder of the JSON results and the log", Required = true };
        var ids = new Option<string>("--semantic-ids") { Description = "Amazon Beauty semantic ID table (TSV) for TIGER", Required = true };
        var part = new Option<string>("--part") { Description = "all, or tiger (TIGER alone for a whole call)", DefaultValueFactory = _ => "all" };
        part.AcceptOnlyFromAmong("all", "tiger");
        var device = new Option<string>("--device") { Description = "Compute device", DefaultValueFactory = _ => "cuda" };
        var minutes = new Option<double>("--minutes") { Description = "Cap of each training run (the whole call fits a 10-minute command)", DefaultValueFactory = _ => 1.25 };
        var speedSteps = new Option<int>("--speed-steps") { Description = "Timed steps of the speed comparison", DefaultValueFactory = _ => 200 };
        var tigerMinutes = new Option<double>("--tiger-minutes") { Description = "TIGER's training minutes with --part tiger", DefaultValueFactory = _ => 6 };
        var tigerSteps = new Option<int>("--tiger-steps") { Description = "Steps between TIGER's validations with --part tiger (500 otherwise)", DefaultValueFactory = _ => 2000 };
        var skipTiger = new Option<bool>("--skip-tiger") { Description = "No TIGER run (CPU dry runs: its test pass alone takes ~10 min there)" };
        var command = new Command("gpu", "The GPU benchmark in one call: doctor, GenRec vs PyTorch SASRec speed, ML-1M SASRec/HSTU/HSTU-large and Beauty TIGER under a time cap")
        {
            results, ids, part, device, minutes, speedSteps, tigerMinutes, tigerSteps, skipTiger,
        };
        command.SetAction(r =>
        {
            var out_ = r.GetValue(results)!;
            Directory.CreateDirectory(out_);
            var logPath = Path.Combine(out_, "gpu-log.txt");
            var gate = new object();
            void Log(string line)
            {
                lock (gate)
                {
                    Console.WriteLine(line);
                    File.AppendAllText(logPath, line + "\n");
                }
            }

            void Summaries(string line)
            {
                if (GenRecChild.IsSummary(line))
                {
                    Log(line);
                }
            }

            void Step(string name) => Log($"== {name} ({DateTime.Now:HH:mm:ss})");
            var dev = r.GetValue(device)!;
            var cap = Invariant(r.GetValue(minutes));
            var steps = r.GetValue(speedSteps).ToString(CultureInfo.InvariantCulture);
            var tigerOnly = r.GetValue(part) == "tiger";
            Step("doctor");
            GenRecChild.Run(dev.StartsWith("cuda", StringComparison.Ordinal) ? ["doctor", "--nccl"] : ["doctor"], onLine: Log); // NCCL as a rank of one on a GPU
            if (!tigerOnly)
            {
                Step("speed: GenRec SASRec");
                GenRecChild.Run(["bench", "speed", "--config", "configs/ml-1m-sasrec.json", "--device", dev, "--steps", steps, "--results", out_], onLine: Log);
                Step("speed: PyTorch SASRec");
                if (HasPyTorch())
                {
                    GenRecChild.Run(["bench/reference/sasrec_speed.py", "--device", dev, "--steps", steps, "--out", out_], onLine: Log, fileName: "python3");
                }
                else
                {
                    Log("no PyTorch here: reference speed skipped");
                }

                foreach (var (model, config) in new[] { ("sasrec", "ml-1m-sasrec"), ("hstu", "ml-1m-hstu"), ("hstu-large", "ml-1m-hstu-large") })
                {
                    Step($"train {model}");
                    GenRecChild.Run(["bench", "train", "--config", $"configs/{config}.json", "--model", model, "--device", dev, "--max-minutes", cap, "--out", $"runs/gpu-{model}", "--results", out_], onLine: Summaries);
                }
            }

            if (!r.GetValue(skipTiger))
            {
                var tigerCap = tigerOnly ? Invariant(r.GetValue(tigerMinutes)) : cap;
                var interval = tigerOnly ? r.GetValue(tigerSteps).ToString(CultureInfo.InvariantCulture) : "500";
                Step($"train tiger ({tigerCap} min, validation every {interval} steps)");
                GenRecChild.Run(["tiger", "train", "--config", "configs/amazon-beauty-tiger.json", "--semantic-ids", r.GetValue(ids)!, "--device", dev, "--max-minutes", tigerCap,
                    "--steps-per-epoch", interval, "--epochs", "1000", "--out", "runs/gpu-tiger", "--results", out_], onLine: Summaries);
                // The learning curve.
                if (File.Exists("runs/gpu-tiger/metrics.jsonl"))
                {
                    File.Copy("runs/gpu-tiger/metrics.jsonl", Path.Combine(out_, "tiger-metrics.jsonl"), overwrite: true);
                }
            }

            Step("done");
            foreach (var file in Directory.GetFiles(out_).Order(StringComparer.Ordinal))
            {
                Log(Path.GetFileName(file));
            }

            return 0;
        });
        return command;
    }

    private static bool HasPyTorch()
    {
        try
        {
            return GenRecChild.Run(["-c", "import torch"], onLine: _ => { }, fileName: "python3") == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // no python3
        }
    }

    private static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);
}
