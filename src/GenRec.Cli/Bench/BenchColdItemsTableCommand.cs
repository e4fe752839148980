using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using GenRec.Checkpoints;
using GenRec.Configuration;
using GenRec.Data;
using GenRec.Util;
using static GenRec.Cli.Bench.BenchSeedsTableCommand;

namespace GenRec.Cli.Bench;

/// <summary>
/// <c>genrec bench cold-items-table &lt;folder&gt;</c>: the cold-item test over seeds (each seed's bench JSON from
/// <c>bench seeds --cold-items</c>): every arm's mean and standard error on the cold-target and the warm-target users,
/// and, with <c>--closed</c>, the same model trained on the closed catalogue tested on each seed's warm-target users
/// (its checkpoint per seed, <c>{seed}</c> in the path). Writes the JSON and prints the Markdown table.
/// </summary>
internal static class BenchColdItemsTableCommand
{
    private static readonly string[] Keys = ["hr@10", "ndcg@10", "hr@5", "ndcg@5"];

    /// <summary>One arm over the seeds: cold-target and warm-target spreads (cold null for the closed model).</summary>
    internal sealed record ArmRow(string Arm, SortedDictionary<string, Spread>? Cold, SortedDictionary<string, Spread> Warm);

    public static Command Create()
    {
        var folder = new Argument<string>("folder") { Description = "Folder of the per-seed bench JSON files with a cold_items section (bench seeds --cold-items)" };
        var closed = new Option<string?>("--closed") { Description = "Best checkpoint of the closed-catalogue model per seed, {seed} in the path (e.g. ~/genrec-runs/bench-amazon-beauty-sasrec-ce-closed-seed{seed}/best.ckpt)" };
        var output = new Option<string>("--out") { Description = "The table's JSON file", Required = true };
        var command = new Command("cold-items-table", "The cold-item test over seeds: each arm on cold and warm targets (mean ± s.e.), beside the closed-catalogue model") { folder, closed, output };
        command.SetAction(r =>
        {
            var files = Directory.GetFiles(r.GetValue(folder)!, "*.json").Order(StringComparer.Ordinal).ToArray();
            var runs = files.Select(f => (File: f, Json: JsonDocument.Parse(File.ReadAllText(f)).RootElement))
                .Where(x => x.Json.TryGetProperty("cold_items", out var c) && c.ValueKind == JsonValueKind.Object).ToArray();
            if (runs.Length == 0)
            {
                throw new ArgumentException($"{r.GetValue(folder)}: no bench JSON with a cold_items section (bench seeds --cold-items writes them)");
            }

            var arms = runs[0].Json.GetProperty("cold_items").GetProperty("arms").EnumerateObject().Select(p => p.Name).ToArray();
            var rows = arms.Select(arm => new ArmRow(arm, Spreads(runs, arm, "cold"), Spreads(runs, arm, "warm")!)).ToList();
            if (r.GetValue(closed) is { } pattern)
            {
                rows.Add(new ArmRow("closed-catalogue", null, ClosedSpreads(runs, pattern)));
            }

            var seeds = runs.Select(x => x.Json.GetProperty("config").GetProperty("seed").GetInt32()).ToArray();
            var counts = runs.Select(x => x.Json.GetProperty("cold_items")).Select(c => new { cold_items = c.GetProperty("cold_items").GetInt32(), cold_cases = c.GetProperty("cold_cases").GetInt32(), warm_cases = c.GetProperty("warm_cases").GetInt32() }).ToArray();
            var mappings = runs.Select(x => x.Json.GetProperty("cold_items").GetProperty("mappings").Clone()).ToArray();
            var table = new { benchmark = "cold-items", dataset = runs[0].Json.GetProperty("dataset").GetString(), seeds, per_seed = counts, mappings, rows, git_revision = GitRevision.Current() };
            var path = r.GetValue(output)!;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            AtomicFile.WriteAllText(path, JsonSerializer.Serialize(table, RunConfig.Json) + "\n");
            Console.WriteLine(Markdown(rows, seeds.Length));
            Console.WriteLine($"-> {path}");
            return 0;
        });
        return command;
    }

    private static SortedDictionary<string, Spread>? Spreads((string File, JsonElement Json)[] runs, string arm, string side)
    {
        var values = runs.Select(x => x.Json.GetProperty("cold_items").GetProperty("arms").TryGetProperty(arm, out var a) ? a.GetProperty(side) : throw new InvalidDataException($"{x.File}: no arm '{arm}' in cold_items.arms")).ToArray();
        return new SortedDictionary<string, Spread>(Keys.ToDictionary(k => k, k => Spread.Of([.. values.Select(v => v.GetProperty(k).GetDouble())])), StringComparer.Ordinal);
    }

    // The closed-catalogue checkpoint of each seed on that seed's warm-target cases.
    private static SortedDictionary<string, Spread> ClosedSpreads((string File, JsonElement Json)[] runs, string pattern)
    {
        var results = new List<IReadOnlyDictionary<string, double>>();
        foreach (var (file, json) in runs)
        {
            var config = JsonSerializer.Deserialize<RunConfig>(json.GetProperty("config").GetRawText(), RunConfig.Json) ?? throw new InvalidDataException($"{file}: no config");
            var checkpoint = pattern.Replace("{seed}", config.Seed.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
            if (checkpoint.StartsWith("~/", StringComparison.Ordinal))
            {
                checkpoint = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), checkpoint[2..]);
            }

            var data = DatasetLoader.Load(config.Data.ToRequest(DatasetRequest.DefaultCacheDir), Terminal.Output.Info);
            using var model = Checkpoint.Open(checkpoint, new() { Dataset = data }).TakeRetrieval("the closed-catalogue arm");
            var result = Catalog.ColdItemEvaluation.ClosedOnWarmTargets(model, data, config);
            Console.WriteLine($"closed-catalogue seed {config.Seed}: warm targets {result.Summary("hr@10", "ndcg@10")} ({checkpoint})");
            results.Add(result.Metrics);
        }

        return new SortedDictionary<string, Spread>(Keys.ToDictionary(k => k, k => Spread.Of([.. results.Select(m => m[k])])), StringComparer.Ordinal);
    }

    /// <summary>Mean ± standard error (sd / √n) per arm, cold and warm targets.</summary>
    internal static string Markdown(IReadOnlyList<ArmRow> rows, int seeds)
    {
        static string Cell(Spread? s) => s is null ? "-" : s.N > 1
            ? string.Create(CultureInfo.InvariantCulture, $"{s.Mean:F4} ± {s.Sd / Math.Sqrt(s.N):F4}")
            : s.Mean.ToString("F4", CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"| arm ({seeds} seed(s), mean ± s.e.) | cold HR@10 | cold NDCG@10 | warm HR@10 | warm NDCG@10 |");
        text.AppendLine("|---|---|---|---|---|");
        foreach (var row in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {row.Arm} | {Cell(row.Cold?["hr@10"])} | {Cell(row.Cold?["ndcg@10"])} | {Cell(row.Warm["hr@10"])} | {Cell(row.Warm["ndcg@10"])} |");
        }

        return text.ToString();
    }
}
