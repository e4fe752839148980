using System.CommandLine;
using System.Globalization;
using GenRec.Compute;

namespace GenRec.Cli.Bench;

/// <summary>
/// <c>genrec bench fast-paths</c>: which CPU fast path buys what, arm by arm, one model per family, one run each, one after
/// the other on this machine. SASRec with full softmax (Amazon Beauty shapes: B128 x L50, 12,101 items) and HSTU (ML-1M
/// shapes: B128 x L200, 3,706 items) on fixed-shape synthetic batches (<c>bench speed</c>), a TIGER training step (Beauty,
/// random semantic IDs: the step's cost does not depend on the IDs), and serving (<c>bench serve</c> on a quickstart
/// checkpoint, 8 closed-loop workers). Each arm is a clean process start (no preload or allocator settings inherited)
/// with the arm's switches in its environment:
/// <list type="bullet">
/// <item>none: glibc malloc's defaults, MKL's AVX2 vendor path (what a process got before: started directly)</item>
/// <item>jemalloc: jemalloc (the command relaunches itself under it), MKL AVX2</item>
/// <item>mkl: glibc defaults, MKL AVX-512 (in-process dispatch on AMD)</item>
/// <item>both: jemalloc and MKL AVX-512 (the default where jemalloc is installed)</item>
/// <item>glibc-tuned: glibc with mallopt (no mmap per buffer, no trim), MKL AVX2</item>
/// <item>glibc-tuned-mkl: glibc with mallopt and MKL AVX-512 (the default without jemalloc, and in a library host)</item>
/// </list>
/// Results: <c>bench/results/speed/fast-paths/&lt;model&gt;-&lt;arm&gt;.json</c>. Ratios within one run are the claim.
/// </summary>
internal static class BenchFastPathsCommand
{
    /// <summary>The arms: a name and the switches that turn paths off.</summary>
    internal static readonly (string Name, string[] Off)[] Arms =
    [
        ("none", [JemallocRelaunch.DisableVariable, GlibcMallocTuning.DisableVariable, MklVendorDispatch.DisableVariable]),
        ("jemalloc", [MklVendorDispatch.DisableVariable]),
        ("mkl", [JemallocRelaunch.DisableVariable, GlibcMallocTuning.DisableVariable]),
        ("both", []),
        ("glibc-tuned", [JemallocRelaunch.DisableVariable, MklVendorDispatch.DisableVariable]),
        ("glibc-tuned-mkl", [JemallocRelaunch.DisableVariable]),
    ];

    public static Command Create()
    {
        var steps = new Option<int>("--steps") { Description = "Timed steps of each bench speed run", DefaultValueFactory = _ => 8 };
        var tigerSteps = new Option<int>("--tiger-steps") { Description = "TIGER training steps per interval (two intervals)", DefaultValueFactory = _ => 6 };
        var serveSeconds = new Option<int>("--serve-seconds") { Description = "Seconds of each serving measurement", DefaultValueFactory = _ => 10 };
        var beauty = new Option<string>("--beauty") { Description = "Amazon Beauty's folder (the TIGER step's data)", DefaultValueFactory = _ => Path.Combine("..", "shared", "data", "amazon-beauty") };
        var arms = new Option<string?>("--arms") { Description = $"Arms to run, comma-separated (default all: {string.Join(", ", Arms.Select(a => a.Name))})" };
        var runs = BenchCommand.RunsOption();
        var results = BenchCommand.OutputOption("speed/fast-paths");
        var command = new Command("fast-paths", "Training and serving speed with each CPU fast path switched off and on (allocator, MKL code path), one arm after the other")
        {
            steps, tigerSteps, serveSeconds, beauty, arms, runs, results,
        };
        command.SetAction(r =>
        {
            var chosen = r.GetValue(arms) is { } names
                ? names.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(n => Arms.FirstOrDefault(a => a.Name == n) is { Name: not null } arm ? arm
                    : throw new ArgumentException($"--arms: unknown arm '{Util.QuotedText.Clip(n)}' (available: {string.Join(", ", Arms.Select(a => a.Name))})")).ToArray()
                : Arms;
            var out_ = r.GetValue(results)!;
            var folder = Path.Combine(r.GetValue(runs)!, "fast-paths");
            var model = Path.Combine(folder, "serve-model");
            GenRecChild.RunChecked("quickstart model", ["train", "--config", "quickstart", "--max-minutes", "0.5", "--out", model], onLine: _ => { });
            var n = Invariant(r.GetValue(steps));
            foreach (var (name, off) in chosen)
            {
                var environment = GenRecChild.CleanStart();
                foreach (var variable in off)
                {
                    environment[variable] = "1";
                }

                GenRecChild.RunChecked($"{name}: SASRec", ["bench", "speed", "--config", "amazon-beauty-sasrec-ce", "--items", "12101", "--steps", n, "--warmup", "3", "--tag", name, "--results", out_], environment);
                GenRecChild.RunChecked($"{name}: HSTU", ["bench", "speed", "--config", "ml-1m-hstu", "--items", "3706", "--steps", n, "--warmup", "3", "--tag", name, "--results", out_], environment);
                var tigerRun = Path.Combine(folder, $"tiger-{name}");
                if (Directory.Exists(tigerRun))
                {
                    Directory.Delete(tigerRun, recursive: true);
                }

                GenRecChild.RunChecked($"{name}: TIGER",
                [
                    "tiger", "train", "--config", "amazon-beauty-tiger", "--data", r.GetValue(beauty)!, "--set", "train.max_validation_users=20", "--set", "train.beams=2",
                    "--set", "train.warmup_steps=5", "--random-ids", "--epochs", "2", "--steps-per-epoch", Invariant(r.GetValue(tigerSteps)), "--no-test",
                    "--tag", $"fast-path-{name}", "--out", tigerRun, "--results", out_,
                ], environment);
                GenRecChild.RunChecked($"{name}: serving",
                [
                    "bench", "serve", "--checkpoint", Path.Combine(model, "best.ckpt"), "--index", "exact", "--concurrency", "8", "--seconds", Invariant(r.GetValue(serveSeconds)),
                    "--name", "ml-latest-small", "--tag", name, "--results", out_,
                ], environment);
            }

            return 0;
        });
        return command;
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
