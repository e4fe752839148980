using GenRec.Cli.Commands;
using GenRec.Configuration;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using GenRec.Evaluation.LongTail;
using GenRec.Util;

namespace GenRec.Cli.Bench;

/// <summary>
/// <c>genrec bench llm-esr-table</c>: averages the per-seed LLM-ESR bench files of one dataset (written by
/// <c>bench train --long-tail</c>) per model, for both protocols and every long-tail group, and sets each
/// backbone beside its LLM-ESR version. Writes one JSON and prints a Markdown table.
/// </summary>
internal static class BenchLlmEsrTableCommand
{
    private static readonly string[] Metrics = ["hr@10", "ndcg@10", "hr@20", "ndcg@20"];

    public static Command Create()
    {
        var folder = new Argument<string>("folder") { Description = "Folder of per-seed bench JSON files (bench/results/llm-esr/<dataset>)" };
        var output = new Option<string>("--out") { Description = "Output JSON", Required = true };
        var grouping = new Option<string>("--grouping") { Description = "share (20% head items/users) or paper (its thresholds)", DefaultValueFactory = _ => "share" };
        var command = new Command("llm-esr-table", "Mean LLM-ESR results over seeds, with and without LLM-ESR, by long-tail group; paired differences per seed") { folder, output, grouping };
        command.SetAction(r =>
        {
            var table = Build(r.GetValue(folder)!, r.GetValue(grouping) switch
            {
                "share" => 0,
                "paper" => 1,
                var other => throw new ArgumentException($"--grouping: unknown '{other}' (share or paper)"),
            });
            AtomicFile.WriteAllText(r.GetValue(output)!, JsonSerializer.Serialize(table, RunConfig.Json) + "\n");
            System.Console.WriteLine(Markdown(table));
            System.Console.WriteLine($"-> {r.GetValue(output)}");
            return 0;
        });
        return command;
    }

    internal sealed record ModelMeans(string Model, int[] Seeds, double MeanEpochs, double MeanSamplesPerSecond, SortedDictionary<string, SortedDictionary<string, SortedDictionary<string, double>>> Protocols);

    /// <summary>
    /// A backbone beside an LLM-ESR model on it (<c>llm-esr-&lt;backbone&gt;</c> or an ablation,
    /// <c>llm-esr-&lt;backbone&gt;-&lt;variant&gt;</c>): headline means, whether LLM-ESR has the higher overall and tail-item
    /// NDCG@10 under each protocol, and LLM-ESR's training throughput as a share of the plain backbone's (mean sequences/s
    /// over the seeds; runs side by side on one machine).
    /// </summary>
    internal sealed record Comparison(string LlmEsrModel, string Backbone, SortedDictionary<string, double> Baseline, SortedDictionary<string, double> LlmEsr, SortedDictionary<string, bool> ImprovesOverallAndTailItemNdcg10, SortedDictionary<string, PairedDifference> Paired, double? ThroughputRatio = null);

    /// <summary>
    /// LLM-ESR minus its backbone on the same seed, per seed; their mean, standard deviation (n - 1), standard error
    /// of the mean (null with one seed), and whether the mean exceeds two standard errors (the issue's bar).
    /// </summary>
    internal sealed record PairedDifference(SortedDictionary<int, double> BySeed, double Mean, double? Sd, double? StandardError, bool AboveTwoStandardErrors)
    {
        public static PairedDifference Of(SortedDictionary<int, double> bySeed)
        {
            var values = bySeed.Values.ToArray();
            var mean = values.Average();
            if (values.Length < 2)
            {
                return new PairedDifference(bySeed, mean, null, null, false);
            }

            var sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
            var se = sd / Math.Sqrt(values.Length);
            return new PairedDifference(bySeed, mean, sd, se, mean > 2 * se);
        }
    }

    internal sealed record Table(string Dataset, string Groups, string Note, ModelMeans[] Models, Comparison[] Comparisons, string GitRevision, DateTimeOffset Date);

    private static readonly string[] Protocols = ["full_ranking", "sampled", "popularity_sampled"];

    internal static Table Build(string folder, int grouping = 0)
    {
        var files = Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
        {
            throw new FileNotFoundException($"no bench JSON files in {folder}");
        }

        var runs = files.Select(f => (File: f, Json: JsonDocument.Parse(File.ReadAllText(f)).RootElement)).ToArray();
        string dataset = "", groups = "";
        var models = new List<ModelMeans>();
        foreach (var byModel in runs.GroupBy(r => r.Json.GetProperty("model").GetString()!).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var protocols = new SortedDictionary<string, SortedDictionary<string, SortedDictionary<string, double>>>(StringComparer.Ordinal);
            foreach (var protocol in Protocols.Where(p => byModel.All(r => LongTail(r.Json, r.File, grouping).TryGetProperty(p, out var v) && v.ValueKind == JsonValueKind.Object)))
            {
                protocols[protocol] = new(StringComparer.Ordinal);
                foreach (var group in LongTailReport.GroupNames)
                {
                    protocols[protocol][group] = new(StringComparer.Ordinal);
                    foreach (var metric in Metrics.Append("count"))
                    {
                        protocols[protocol][group][metric] = byModel.Average(r => LongTail(r.Json, r.File, grouping).GetProperty(protocol).GetProperty(group).GetProperty(metric).GetDouble());
                    }
                }
            }

            dataset = byModel.First().Json.GetProperty("dataset").GetString()!;
            groups = LongTail(byModel.First().Json, byModel.First().File, grouping).GetProperty("groups").GetString()!;
            var training = byModel.Select(r => r.Json.GetProperty("training")).ToArray();
            models.Add(new ModelMeans(
                byModel.Key,
                byModel.Select(r => r.Json.GetProperty("config").GetProperty("seed").GetInt32()).Order().ToArray(),
                training.Average(t => t.GetProperty("epochs_run").GetDouble()),
                training.Average(t => t.GetProperty("samples_per_second").GetDouble()),
                protocols));
        }

        var plainModels = models.Select(m => m.Model).Where(m => !m.StartsWith(LlmEsrPrefix, StringComparison.Ordinal)).ToArray();
        var comparisons = models
            .Select(m => (Enhanced: m, Baseline: BaselineOf(m.Model, plainModels) is { } b ? models.Single(x => x.Model == b) : null))
            .Where(p => p.Baseline is not null)
            .Select(p => new Comparison(p.Enhanced.Model, p.Baseline!.Model, Headline(p.Baseline), Headline(p.Enhanced), Improves(p.Baseline, p.Enhanced), Paired(runs, p.Baseline.Model, p.Enhanced.Model, grouping),
                p.Baseline.MeanSamplesPerSecond > 0 ? p.Enhanced.MeanSamplesPerSecond / p.Baseline.MeanSamplesPerSecond : null))
            .ToArray();
        return new Table(dataset, groups, "means over the seeds listed per model; each run tests its best-validation epoch", models.ToArray(), comparisons, GitRevision.Current(), DateTimeOffset.UtcNow);
    }

    private const string LlmEsrPrefix = "llm-esr-";

    /// <summary>
    /// The plain backbone an LLM-ESR model is compared with: <c>llm-esr-sasrec</c> and its ablations
    /// <c>llm-esr-sasrec-concat</c>, ... go with <c>sasrec</c> (the longest plain name that fits); null for a plain model
    /// or one without its backbone among <paramref name="plainModels"/>.
    /// </summary>
    internal static string? BaselineOf(string model, IReadOnlyCollection<string> plainModels)
    {
        if (!model.StartsWith(LlmEsrPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = model[LlmEsrPrefix.Length..];
        return plainModels.Where(b => rest == b || rest.StartsWith(b + "-", StringComparison.Ordinal)).OrderByDescending(b => b.Length).FirstOrDefault();
    }

    // The run's long-tail section under one grouping: bench train writes the 20% share first, then the paper's thresholds (older files hold one object, the share).
    private static JsonElement LongTail(JsonElement run, string file, int grouping = 0) =>
        !run.TryGetProperty("long_tail", out var section) ? throw new InvalidDataException($"{file}: no long_tail section (run bench train with --long-tail)")
        : section.ValueKind == JsonValueKind.Array ? (grouping < section.GetArrayLength() ? section[grouping] : throw new InvalidDataException($"{file}: no long-tail grouping {grouping}"))
        : grouping == 0 ? section : throw new InvalidDataException($"{file}: written before the paper's grouping was measured");

    // Per protocol, overall and tail-item NDCG@10 of LLM-ESR minus its backbone, seed by seed (seeds that both have).
    private static SortedDictionary<string, PairedDifference> Paired((string File, JsonElement Json)[] runs, string baseline, string enhanced, int grouping)
    {
        Dictionary<int, JsonElement> BySeed(string model) => runs.Where(r => r.Json.GetProperty("model").GetString() == model)
            .ToDictionary(r => r.Json.GetProperty("config").GetProperty("seed").GetInt32(), r => LongTail(r.Json, r.File, grouping));
        var (plain, llmEsr) = (BySeed(baseline), BySeed(enhanced));
        var seeds = plain.Keys.Intersect(llmEsr.Keys).Order().ToArray();
        var result = new SortedDictionary<string, PairedDifference>(StringComparer.Ordinal);
        foreach (var protocol in Protocols.Where(p => seeds.Length > 0 && seeds.All(s => plain[s].TryGetProperty(p, out var a) && a.ValueKind == JsonValueKind.Object && llmEsr[s].TryGetProperty(p, out var b) && b.ValueKind == JsonValueKind.Object)))
        {
            foreach (var group in new[] { "overall", "tail_item" }.Where(g => seeds.All(s => Count(plain[s], protocol, g) > 0 && Count(llmEsr[s], protocol, g) > 0)))
            {
                double Ndcg(JsonElement section) => section.GetProperty(protocol).GetProperty(group).GetProperty("ndcg@10").GetDouble();
                result[$"{protocol}/{group}/ndcg@10"] = PairedDifference.Of(new SortedDictionary<int, double>(seeds.ToDictionary(s => s, s => Ndcg(llmEsr[s]) - Ndcg(plain[s]))));
            }
        }

        return result;
    }

    private static double Count(JsonElement longTail, string protocol, string group) => longTail.GetProperty(protocol).GetProperty(group).GetProperty("count").GetDouble();

    // A group no test case falls in (the paper's tail items on 5-core data): no metric to compare or print.
    private static bool Empty(SortedDictionary<string, double> group) => group["count"] <= 0;

    // Whether both models have test cases in the group under the protocol, so that their means can be compared.
    private static bool Comparable(ModelMeans baseline, ModelMeans enhanced, string protocol, string group) =>
        !Empty(baseline.Protocols[protocol][group]) && !Empty(enhanced.Protocols[protocol][group]);

    // full/… and sampled/… NDCG@10 and HR@10 of the overall and tail-item groups.
    private static SortedDictionary<string, double> Headline(ModelMeans m)
    {
        var result = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var (protocol, groups) in m.Protocols)
        {
            foreach (var group in new[] { "overall", "tail_item" })
            {
                result[$"{protocol}/{group}/ndcg@10"] = groups[group]["ndcg@10"];
                result[$"{protocol}/{group}/hr@10"] = groups[group]["hr@10"];
            }
        }

        return result;
    }

    // Per protocol: higher mean overall and tail-item NDCG@10 (overall alone where the tail-item group is empty).
    private static SortedDictionary<string, bool> Improves(ModelMeans baseline, ModelMeans enhanced) =>
        new(baseline.Protocols.Keys.ToDictionary(p => p, p => new[] { "overall", "tail_item" }
            .Where(g => Comparable(baseline, enhanced, p, g))
            .All(g => enhanced.Protocols[p][g]["ndcg@10"] > baseline.Protocols[p][g]["ndcg@10"])), StringComparer.Ordinal);

    internal static string Markdown(Table table)
    {
        string F(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);
        var lines = new List<string>();
        foreach (var protocol in Protocols.Where(p => table.Models.All(m => m.Protocols.ContainsKey(p))))
        {
            lines.Add($"{table.Dataset}, {Describe(protocol)} (N@10 / H@10; {table.Groups})");
            lines.Add("| model | seeds | overall | tail item | head item | tail user | head user |");
            lines.Add("|---|---|---|---|---|---|---|");
            var sizes = table.Models[0].Protocols[protocol];
            lines.Add("| (test users in the group) | | " + string.Join(" | ", LongTailReport.GroupNames.Select(n => sizes[n]["count"].ToString("0", CultureInfo.InvariantCulture))) + " |");
            foreach (var m in table.Models)
            {
                var g = m.Protocols[protocol];
                lines.Add($"| {m.Model} | {m.Seeds.Length} | " + string.Join(" | ", LongTailReport.GroupNames.Select(n => Empty(g[n]) ? "- (empty)" : $"{F(g[n]["ndcg@10"])} / {F(g[n]["hr@10"])}")) + " |");
            }

            lines.Add("");
        }

        ModelMeans Means(string model) => table.Models.Single(m => m.Model == model);
        bool NoTailItems(Comparison c, string protocol) => !Comparable(Means(c.Backbone), Means(c.LlmEsrModel), protocol, "tail_item");
        lines.AddRange(table.Comparisons.Select(c => $"{c.LlmEsrModel} vs {c.Backbone}: LLM-ESR has the higher overall and tail-item NDCG@10: "
            + string.Join(", ", c.ImprovesOverallAndTailItemNdcg10.Select(p => $"{Describe(p.Key)} {(p.Value ? "yes" : "no")}{(NoTailItems(c, p.Key) ? " (overall only: no tail items in these groups)" : "")}"))));
        lines.AddRange(table.Comparisons.Where(c => c.ThroughputRatio is not null).Select(c => $"{c.LlmEsrModel} vs {c.Backbone}: LLM-ESR trains at {c.ThroughputRatio:P0} of the plain backbone's sequences/s"));
        lines.AddRange(table.Comparisons.SelectMany(c => c.Paired.Select(p =>
            $"{c.LlmEsrModel} vs {c.Backbone}: {p.Key} LLM-ESR minus backbone {SignedNumber.Format(p.Value.Mean)} ({(p.Value.Sd is { } sd ? $"sd {sd:0.0000}, s.e. {p.Value.StandardError:0.0000}, " : "")}{p.Value.BySeed.Count} seeds: {string.Join(", ", p.Value.BySeed.Select(s => $"{s.Key} {SignedNumber.Format(s.Value)}"))}){(p.Value.AboveTwoStandardErrors ? ", above 2 s.e." : "")}")));
        return string.Join("\n", lines);
    }

    private static string Describe(string protocol) => protocol switch
    {
        "sampled" => "100 uniform negatives",
        "popularity_sampled" => "100 popularity-sampled negatives",
        _ => "full ranking",
    };
}
