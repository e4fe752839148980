using System.CommandLine;
using System.Globalization;
using GenRec.Configuration;

namespace GenRec.Cli.Bench;

/// <summary>
/// <c>genrec bench llm-esr &lt;dataset&gt;</c>: each backbone with and without LLM-ESR over several seeds, tested with full
/// ranking and with 100 sampled negatives, broken down into tail/head items and users; then the mean tables
/// (<c>bench llm-esr-table</c>, under the 20% share and the paper's groups). Item text is embedded once (<c>text embed</c>,
/// all-MiniLM-L6-v2 over title and categories) and shared. Per run: <c>bench/results/llm-esr/&lt;dataset&gt;/&lt;model&gt;-&lt;dataset&gt;-seed&lt;N&gt;.json</c>;
/// a run whose file exists is skipped and one stopped midway resumes from its run folder, so the sweep continues where it
/// stopped. <c>--jobs</c> trainings run side by side as their own processes, one libtorch thread each.
/// </summary>
internal static class BenchLlmEsrCommand
{
    /// <summary>The paper's ablations (and GenRec's residual), each a name and its overrides on the LLM-ESR config.</summary>
    internal static readonly (string Name, string[] Sets)[] Ablations =
    [
        ("concat", ["model.semantic_view.fusion=concat"]),
        ("no-distillation", ["llm_esr.alpha=0", "llm_esr.beta=0"]),
        ("no-pca", ["llm_esr.pca_init=false"]),
        ("text-only", ["model.semantic_view.fusion=text"]),
        ("pca-ids", ["model.semantic_view.fusion=id", "llm_esr.alpha=0", "llm_esr.beta=0"]),
        ("residual", ["model.semantic_view.cross_attention_residual=true"]),
    ];

    /// <summary>One training of the sweep: its result file and its <c>genrec</c> arguments.</summary>
    internal sealed record Job(string Result, string[] Arguments);

    public static Command Create()
    {
        var dataset = new Argument<string>("dataset") { Description = "Dataset whose configs/<dataset>-llm-esr-<backbone>.json are trained" };
        var seeds = new Option<string>("--seeds") { Description = "Seeds, comma-separated", DefaultValueFactory = _ => "42,43,44" };
        var backbones = new Option<string>("--backbones") { Description = "Backbones, comma-separated (sasrec, gru4rec, bert4rec)", DefaultValueFactory = _ => "sasrec,gru4rec,bert4rec" };
        var jobs = new Option<int>("--jobs") { Description = "Trainings side by side, each its own process with one libtorch thread", DefaultValueFactory = _ => 2 };
        var epochs = new Option<int?>("--epochs") { Description = "Cap every run at this many epochs (a CPU budget; the configs train up to 200 with patience 20)" };
        var text = new Option<string>("--text") { Description = "Sentence encoder of the item text (minilm; glove is the light fallback)", DefaultValueFactory = _ => "minilm" };
        var ablations = new Option<string?>("--ablations") { Description = $"Also the ablations as their own rows, on each backbone and seed: 'all' or names, comma-separated ({string.Join(", ", Ablations.Select(a => a.Name))})" };
        var command = new Command("llm-esr", "Backbones with and without LLM-ESR (and ablations) over seeds, then the mean tables; resumable")
        {
            dataset, seeds, backbones, jobs, epochs, text, ablations,
        };
        command.SetAction(r =>
        {
            var name = r.GetValue(dataset)!;
            var jobCount = r.GetValue(jobs);
            if (jobCount < 1)
            {
                throw new ArgumentException($"--jobs: {jobCount}; give 1 or more");
            }

            var backboneList = r.GetValue(backbones)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            foreach (var backbone in backboneList)
            {
                var config = ConfigOf(name, backbone);
                if (!File.Exists(config))
                {
                    throw new ArgumentException($"--backbones: {backbone} has no config ({config})");
                }
            }

            var dataPath = JsonConfig.Load<RunConfig>(ConfigOf(name, backboneList[0])).Data.Path;
            var encoder = r.GetValue(text)!;
            var vectors = Path.Combine("runs", "llm-esr", $"{name}-{encoder}.npy");
            Directory.CreateDirectory(Path.GetDirectoryName(vectors)!);
            if (!File.Exists(vectors))
            {
                GenRecChild.RunChecked("text embed", ["text", "embed", dataPath, "--kcore", "5", "--encoder", encoder, "--out", vectors, "--show", "0"]);
            }

            var results = Path.Combine("bench", "results", "llm-esr", name);
            var sweep = Plan(name, BenchSeedsCommand.ParseSeeds(r.GetValue(seeds)!), backboneList, SelectAblations(r.GetValue(ablations)), vectors, results, r.GetValue(epochs));
            var pending = sweep.Where(j => !File.Exists(j.Result)).ToArray();
            Console.WriteLine($"llm-esr {name}: {sweep.Count} runs, {sweep.Count - pending.Length} done, {pending.Length} to train ({jobCount} at a time)");
            var threads = new Dictionary<string, string?> { ["GENREC_THREADS"] = "1" };
            var failed = 0;
            Parallel.ForEach(pending, new ParallelOptions { MaxDegreeOfParallelism = jobCount }, job =>
            {
                if (GenRecChild.Run(job.Arguments, threads) != 0)
                {
                    Interlocked.Increment(ref failed);
                }
            });
            if (failed > 0)
            {
                throw new InvalidOperationException($"{failed} of {pending.Length} trainings failed (their errors are above); run the command again to retry them");
            }

            GenRecChild.RunChecked("llm-esr-table", ["bench", "llm-esr-table", results, "--out", Path.Combine("bench", "results", "llm-esr", $"llm-esr-{name}.json")], onLine: Console.WriteLine);
            GenRecChild.RunChecked("llm-esr-table (paper groups)", ["bench", "llm-esr-table", results, "--grouping", "paper", "--out", Path.Combine("bench", "results", "llm-esr", $"llm-esr-{name}-paper-groups.json")], onLine: Console.WriteLine);
            return 0;
        });
        return command;
    }

    private static string ConfigOf(string dataset, string backbone) => Path.Combine("configs", $"{dataset}-llm-esr-{backbone}.json");

    /// <summary>The ablations named (<c>all</c>: every one); an unknown name is an error listing them.</summary>
    internal static (string Name, string[] Sets)[] SelectAblations(string? names)
    {
        if (names is null)
        {
            return [];
        }

        if (names.Trim() == "all")
        {
            return Ablations;
        }

        return [.. names.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(n =>
            Ablations.FirstOrDefault(a => a.Name == n) is { Name: not null } found ? found
                : throw new ArgumentException($"--ablations: unknown ablation '{Util.QuotedText.Clip(n)}' (available: all, {string.Join(", ", Ablations.Select(a => a.Name))})"))];
    }

    /// <summary>Every training of the sweep, seed by seed: LLM-ESR and its backbone, then the ablations.</summary>
    internal static List<Job> Plan(string dataset, int[] seeds, string[] backbones, (string Name, string[] Sets)[] ablations, string vectors, string results, int? epochs)
    {
        var jobs = new List<Job>();
        void Add(string backbone, int seed, string model, IEnumerable<string> extra)
        {
            var s = seed.ToString(CultureInfo.InvariantCulture);
            string[] arguments =
            [
                "bench", "train", "--config", ConfigOf(dataset, backbone), "--dataset", dataset, "--seed", s, "--tag", $"seed{s}", "--long-tail",
                "--text-embeddings", vectors, "--results", results, "--resume", .. epochs is { } n ? ["--epochs", n.ToString(CultureInfo.InvariantCulture)] : Array.Empty<string>(),
                "--model", model, .. extra, "--out", Path.Combine("runs", "llm-esr", dataset, $"{model}-seed{s}"),
            ];
            jobs.Add(new Job(Path.Combine(results, $"{model}-{dataset}-seed{s}.json"), arguments));
        }

        foreach (var seed in seeds)
        {
            foreach (var backbone in backbones)
            {
                Add(backbone, seed, $"llm-esr-{backbone}", []);
                Add(backbone, seed, backbone, ["--without-llm-esr"]);
            }
        }

        foreach (var backbone in backbones)
        {
            foreach (var (name, sets) in ablations)
            {
                foreach (var seed in seeds)
                {
                    Add(backbone, seed, name == "pca-ids" ? $"{backbone}-pca-ids" : $"llm-esr-{backbone}-{name}", sets.SelectMany(set => new[] { "--set", set }));
                }
            }
        }

        return jobs;
    }
}
