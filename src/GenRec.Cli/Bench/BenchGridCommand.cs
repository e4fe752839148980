using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GenRec.Cli.Commands;
using GenRec.Configuration;

namespace GenRec.Cli.Bench;

/// <summary>
/// <c>genrec bench grid</c>: a recorded tuning grid that selects on the validation split only. Each variant is the config
/// with its own <c>--set</c> overrides (<c>--variant dropout-0.3:model.dropout=0.3</c>; <c>base:</c> is the config itself),
/// trained with the config's seed in <c>&lt;out&gt;/grid-&lt;config&gt;-&lt;variant&gt;</c> (resumed), its bench JSON in
/// <c>&lt;results&gt;/grid/&lt;config&gt;/</c> (skipped when it exists). <c>&lt;results&gt;/grid-&lt;config&gt;.json</c> ranks the
/// variants by best validation NDCG@10 with the standard error of validation HR@10 over the users; the test metrics are
/// shown and play no part in the choice.
/// </summary>
internal static class BenchGridCommand
{
    public static Command Create()
    {
        var options = new RunOptions("Folder of the variants' run folders (default ~/genrec-runs)");
        var variants = new Option<string[]>("--variant") { Description = "name:key.path=value[,key.path=value...] (base: for the config as it is); repeatable", Required = true };
        var results = new Option<string>("--results") { Description = "Results folder of the area", DefaultValueFactory = _ => Path.Combine("bench", "results", "retrieval") };
        var command = new Command("grid", "Train config variants (--set overrides each) and rank them on validation NDCG@10") { variants, results };
        options.AddTo(command);
        command.SetAction((r, cancel) =>
        {
            var config = options.ConfigFile(r)!;
            var baseName = Path.GetFileNameWithoutExtension(config);
            var parsed = r.GetValue(variants)!.Select(Parse).ToArray();
            if (parsed.Select(v => v.Name).Distinct().Count() != parsed.Length)
            {
                throw new ArgumentException("--variant: two variants share a name");
            }

            var runs = r.GetValue(options.Out) ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), "genrec-runs");
            var resultsRoot = r.GetValue(results)!;
            var folder = Path.Combine(resultsRoot, "grid", baseName);
            var common = options.Sets(r);
            string? dataset = null;
            foreach (var (name, sets) in parsed)
            {
                var run = JsonConfig.Load<RunConfig>(config, [.. common, .. sets]);
                run = (RunConfig)((IRunConfig)run).WithDataPath(BundledFiles.DataPath(run.Data.Path)) with { Name = $"{run.Name}-{name}" };
                dataset = Path.GetFileName(Path.GetFullPath(run.Data.Path).TrimEnd('/'));
                if (Directory.Exists(folder) && Directory.GetFiles(folder, $"{name}-*.json").Length > 0)
                {
                    Terminal.Output.Info($"{baseName} {name}: done");
                    continue;
                }

                if (BenchTrainCommand.Run(new BenchTrainCommand.BenchTrainJob(run, name, null, Path.Combine(runs, $"grid-{baseName}-{name}"), Resume: true, folder, null), cancel) is null)
                {
                    return Task.FromResult(130);
                }
            }

            var table = Rank(folder, baseName, BenchSeedsCommand.FloorFiles(resultsRoot, dataset!).FirstOrDefault(f => Path.GetFileName(f).StartsWith("most-popular-", StringComparison.Ordinal)));
            BenchSeedsTableCommand.Publish(table, Markdown(table), Path.Combine(resultsRoot, $"grid-{baseName}.json"));
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>A variant's name and its overrides: <c>name:key=value,key=value</c> (a comma starts a new override only before <c>key=</c>, so JSON lists survive).</summary>
    internal static (string Name, string[] Sets) Parse(string variant)
    {
        var at = variant.IndexOf(':');
        var name = at < 0 ? variant : variant[..at];
        if (!Regex.IsMatch(name, "^[a-z0-9.-]+$"))
        {
            throw new ArgumentException($"--variant {Util.QuotedText.Clip(variant)}: the name '{Util.QuotedText.Clip(name)}' is not lower-case letters, digits, '.' and '-'");
        }

        var rest = at < 0 ? "" : variant[(at + 1)..];
        return (name, rest.Length == 0 ? [] : Regex.Split(rest, @",(?=[A-Za-z_][A-Za-z0-9_.]*=)"));
    }

    internal sealed record Row(string Variant, JsonNode? Config, int? BestEpoch, int? EpochsRun, SortedDictionary<string, double> Validation, SortedDictionary<string, double> Test, double? SamplesPerSecond, string File);

    internal sealed record Table(string Base, int? Epochs, string SelectedOn, int? ValidationUsers, [property: System.Text.Json.Serialization.JsonPropertyName("se_validation_hr@10")] double? SeValidationHr10, Row[] Variants);

    /// <summary>The variants' bench JSON ranked by best validation NDCG@10; the binomial standard error of the best validation HR@10 over the users (the floor's test users: one validation case each).</summary>
    internal static Table Rank(string folder, string baseName, string? floor)
    {
        int? users = floor is null ? null : Regex.Match(JsonNode.Parse(File.ReadAllText(floor))?["protocol"]?.GetValue<string>() ?? "", @"(\d+) test users") is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;
        var rows = BenchSeedsTableCommand.Files([folder]).Select(path =>
        {
            var result = JsonNode.Parse(File.ReadAllText(path))!;
            var training = result["training"];
            SortedDictionary<string, double> Pick(JsonNode? metrics) => new(new[] { "hr@10", "ndcg@10" }.Where(k => metrics?[k] is not null).ToDictionary(k => k, k => metrics![k]!.GetValue<double>()), StringComparer.Ordinal);
            return new Row(result["model"]!.GetValue<string>(), result["config"]?.DeepClone(), training?["best_epoch"]?.GetValue<int>(), training?["epochs_run"]?.GetValue<int>(),
                Pick(training?["best_validation"]), Pick(result["metrics"]), training?["samples_per_second"]?.GetValue<double>(), path);
        }).OrderByDescending(row => row.Validation.GetValueOrDefault("ndcg@10")).ToArray();
        double? se = users is > 0 && rows.Length > 0 && rows[0].Validation.TryGetValue("hr@10", out var p) ? Math.Sqrt(p * (1 - p) / users.Value) : null;
        var epochs = rows.Select(row => row.Config?["train"]?["epochs"]?.GetValue<int>()).FirstOrDefault();
        return new Table(baseName, epochs, "best validation ndcg@10 (test shown, not used)", users, se, rows);
    }

    private static string Markdown(Table table)
    {
        static string F(IReadOnlyDictionary<string, double> m, string k) => m.TryGetValue(k, out var v) ? v.ToString("F4", CultureInfo.InvariantCulture) : "-";
        var text = new StringBuilder("| variant | val ndcg@10 | val hr@10 | best epoch | test ndcg@10 | test hr@10 |\n|---|---|---|---|---|---|\n");
        foreach (var row in table.Variants)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {row.Variant} | {F(row.Validation, "ndcg@10")} | {F(row.Validation, "hr@10")} | {row.BestEpoch} | {F(row.Test, "ndcg@10")} | {F(row.Test, "hr@10")} |\n");
        }

        if (table.SeValidationHr10 is { } se)
        {
            text.Append(CultureInfo.InvariantCulture, $"\nstandard error of validation hr@10 over {table.ValidationUsers} users: {se:F4}\n");
        }

        return text.ToString();
    }
}
