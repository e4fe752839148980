using GenRec.Cli.Commands;
using GenRec.Configuration;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using GenRec.Util;

namespace GenRec.Cli.Bench;

/// <summary>
/// <c>genrec bench seeds-table</c>: the mean and standard deviation over seeds of bench result files
/// (one per seed, from <c>bench train --seed S --tag seedS</c>), per model and dataset, with training-free
/// floors (single bench files: most-popular, transitions, text-kNN) beside them, and each model's
/// relative margin over every floor. Runs that tested a selected epoch and also the last one (<c>training.extra.last_epoch_test</c>,
/// written by <c>select_on</c> runs) get the last epoch's mean and deviation beside the selected one's, and runs with a
/// simulated cold start (<c>cold_start</c>, from <c>bench train --cold-start</c>) its mean and deviation per history length.
/// Writes one JSON and prints Markdown tables.
/// </summary>
internal static class BenchSeedsTableCommand
{
    public static Command Create()
    {
        var inputs = new Argument<string[]>("runs") { Description = "Per-seed bench JSON files, or folders of them", Arity = ArgumentArity.OneOrMore };
        var floors = new Option<string[]>("--floors") { Description = "Bench JSON files of training-free baselines to set beside the models", AllowMultipleArgumentsPerToken = true };
        var metrics = new Option<string>("--metrics") { Description = "Metric keys, comma-separated", DefaultValueFactory = _ => "hr@10,ndcg@10,hr@5,ndcg@5" };
        var output = new Option<string>("--out") { Description = "Output JSON", Required = true };
        var command = new Command("seeds-table", "Mean and standard deviation over seeds per model, beside the training-free floors") { inputs, floors, metrics, output };
        command.SetAction(r =>
        {
            var keys = MetricKeys(r.GetValue(metrics)!);
            var table = Build(Files(r.GetValue(inputs)!), r.GetValue(floors) ?? [], keys);
            Publish(table, Markdown(table, keys), r.GetValue(output)!);
            return 0;
        });
        return command;
    }

    /// <summary>The metric keys of a comma-separated list.</summary>
    internal static string[] MetricKeys(string list) => list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Bench JSON files given as files or folders of them, in ordinal order.</summary>
    internal static string[] Files(IEnumerable<string> paths) =>
        [.. paths.SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p, "*.json") : [p]).Order(StringComparer.Ordinal)];

    /// <summary>Writes a summary as JSON (atomically) and prints its Markdown.</summary>
    internal static void Publish<T>(T summary, string markdown, string path)
    {
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(summary, RunConfig.Json) + "\n");
        System.Console.WriteLine(markdown);
        System.Console.WriteLine($"-> {path}");
    }

    /// <summary>Mean, standard deviation (n - 1; NaN for one seed) and count of one metric over seeds.</summary>
    internal sealed record Spread(double Mean, double Sd, int N)
    {
        public static Spread Of(IReadOnlyList<double> values)
        {
            var mean = values.Average();
            return new Spread(mean, values.Count > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)) : double.NaN, values.Count);
        }
    }

    /// <param name="LastEpochMetrics">The last epoch's test metrics over the same seeds where every seed's run recorded them, else null.</param>
    /// <param name="ColdStart">The simulated cold start per history length where every seed's run recorded the same lengths, else null.</param>
    internal sealed record ModelRow(string Model, string Dataset, string Protocol, int[] Seeds, double MeanEpochsRun, SortedDictionary<string, Spread> Metrics, SortedDictionary<string, SortedDictionary<string, double>> MarginOverFloors, SortedDictionary<string, Spread>? LastEpochMetrics = null, ColdStartRow[]? ColdStart = null);

    /// <summary>The cold-start test at one history length over the seeds: the model's spread (null where it had no input, with the reason) and most-popular's.</summary>
    internal sealed record ColdStartRow(int HistoryItems, int Users, SortedDictionary<string, Spread>? Model, SortedDictionary<string, Spread> MostPopular, string? ModelAbsent);

    internal sealed record FloorRow(string Model, string Dataset, string Protocol, SortedDictionary<string, double> Metrics);

    internal sealed record Table(ModelRow[] Models, FloorRow[] Floors, string Note, string GitRevision, DateTimeOffset Date);

    internal static Table Build(IReadOnlyList<string> files, IReadOnlyList<string> floorFiles, IReadOnlyList<string> keys)
    {
        if (files.Count == 0)
        {
            throw new FileNotFoundException("no bench JSON files given");
        }

        var floors = floorFiles.Select(f => (File: f, Json: Parse(f))).Select(f => new FloorRow(
            f.Json.GetProperty("model").GetString()!,
            f.Json.GetProperty("dataset").GetString()!,
            f.Json.GetProperty("protocol").GetString()!,
            new SortedDictionary<string, double>(keys.ToDictionary(k => k, k => Metric(f.Json.GetProperty("metrics"), k, f.File)), StringComparer.Ordinal))).ToArray();
        var runs = files.Select(f => (File: f, Json: Parse(f))).ToArray();
        var models = runs.GroupBy(r => (Model: r.Json.GetProperty("model").GetString()!, Dataset: r.Json.GetProperty("dataset").GetString()!))
            .OrderBy(g => g.Key.Dataset, StringComparer.Ordinal).ThenBy(g => g.Key.Model, StringComparer.Ordinal)
            .Select(g =>
            {
                var bySeed = g.Select(r => (r.File, r.Json, Seed: r.Json.GetProperty("config").GetProperty("seed").GetInt32())).OrderBy(r => r.Seed).ToArray();
                int[] seeds = [.. bySeed.Select(r => r.Seed)];
                if (seeds.Distinct().Count() != seeds.Length)
                {
                    throw new InvalidDataException($"{g.Key.Model} on {g.Key.Dataset}: seed given twice ({string.Join(", ", g.Select(r => r.File))})");
                }

                var spreads = Spreads([.. g.Select(r => (r.File, r.Json.GetProperty("metrics")))], keys);
                var margins = new SortedDictionary<string, SortedDictionary<string, double>>(StringComparer.Ordinal);
                foreach (var floor in floors.Where(f => f.Dataset == g.Key.Dataset))
                {
                    margins[floor.Model] = new(keys.Where(k => floor.Metrics[k] > 0).ToDictionary(k => k, k => (spreads[k].Mean / floor.Metrics[k]) - 1), StringComparer.Ordinal);
                }

                return new ModelRow(
                    g.Key.Model,
                    g.Key.Dataset,
                    CommonProtocol(g.Key.Model, [.. bySeed.Select(r => (r.File, r.Json.GetProperty("protocol").GetString()!))]),
                    seeds,
                    g.Average(r => r.Json.TryGetProperty("training", out var t) && t.TryGetProperty("epochs_run", out var e) ? e.GetDouble() : double.NaN),
                    spreads,
                    margins,
                    LastEpochSpreads([.. bySeed.Select(r => (r.File, r.Json))], keys),
                    ColdStartSpreads([.. bySeed.Select(r => (r.File, r.Json))], keys));
            }).ToArray();
        return new Table(models, floors, "mean and standard deviation (n - 1) over the seeds listed; margins are the mean over the floor minus 1", GitRevision.Current(), DateTimeOffset.UtcNow);
    }

    /// <summary>Mean and deviation of each metric over the seeds' metric objects (<paramref name="where"/> names the object in errors).</summary>
    private static SortedDictionary<string, Spread> Spreads(IReadOnlyList<(string File, JsonElement Metrics)> runs, IReadOnlyList<string> keys, string where = "") =>
        new(keys.ToDictionary(k => k, k => Spread.Of([.. runs.Select(r => Metric(r.Metrics, k, r.File, where))])), StringComparer.Ordinal);

    /// <summary>The last epoch's test metrics over the seeds, or null unless every seed's run recorded them (<c>training.extra.last_epoch_test</c>).</summary>
    private static SortedDictionary<string, Spread>? LastEpochSpreads(IReadOnlyList<(string File, JsonElement Json)> runs, IReadOnlyList<string> keys)
    {
        var lasts = runs.Select(r => (r.File, Metrics: LastEpochTest(r.Json))).ToArray();
        return lasts.Any(l => l.Metrics is null) ? null : Spreads([.. lasts.Select(l => (l.File, l.Metrics!.Value))], keys, " in training.extra.last_epoch_test");
    }

    /// <summary>
    /// The cold-start rows over the seeds, or null unless every seed's run has them for the same history lengths. At 0 items
    /// a model that reads no user features has no input (<see cref="Evaluation.ColdStartTest"/>): no model figure there, also
    /// for files written before the test left it out (their figure is the tie order of constant scores).
    /// </summary>
    private static ColdStartRow[]? ColdStartSpreads(IReadOnlyList<(string File, JsonElement Json)> runs, IReadOnlyList<string> keys)
    {
        var perRun = runs.Select(r => (r.File, Rows: r.Json.TryGetProperty("cold_start", out var c) && c.ValueKind == JsonValueKind.Array ? c.EnumerateArray().ToArray() : null, UsesUsers: ReadsUserFeatures(r.Json))).ToArray();
        if (perRun.Any(r => r.Rows is null))
        {
            return null;
        }

        int[] Lengths(JsonElement[] rows) => [.. rows.Select(x => x.GetProperty("history_items").GetInt32())];
        var lengths = Lengths(perRun[0].Rows!);
        if (perRun.Any(r => !Lengths(r.Rows!).SequenceEqual(lengths)))
        {
            return null;
        }

        return [.. lengths.Select((n, i) =>
        {
            var at = perRun.Select(r => (r.File, Row: r.Rows![i], r.UsesUsers)).ToArray();
            var noInput = at.Any(r => Evaluation.ColdStartTest.HasNoInput(n, r.UsesUsers));
            var absent = at.Select(r => r.Row.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.Object ? null : "no model figure in " + r.File).FirstOrDefault(a => a is not null);
            var reason = noInput ? Evaluation.ColdStartTest.NoInputReason : absent;
            return new ColdStartRow(
                n,
                at[0].Row.GetProperty("users").GetInt32(),
                reason is null ? Spreads([.. at.Select(r => (r.File, r.Row.GetProperty("model")))], keys, $" in cold_start[{i}].model") : null,
                Spreads([.. at.Select(r => (r.File, r.Row.GetProperty("most_popular")))], keys, $" in cold_start[{i}].most_popular"),
                reason);
        })];
    }

    // Whether the run's model reads user features (config.model.features.user names any).
    private static bool ReadsUserFeatures(JsonElement run) =>
        run.TryGetProperty("config", out var config) && config.ValueKind == JsonValueKind.Object
        && config.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.Object
        && model.TryGetProperty("features", out var features) && features.ValueKind == JsonValueKind.Object
        && features.TryGetProperty("user", out var user) && user.ValueKind == JsonValueKind.Array && user.GetArrayLength() > 0;

    private static JsonElement? LastEpochTest(JsonElement run) =>
        run.TryGetProperty("training", out var training) && training.ValueKind == JsonValueKind.Object
        && training.TryGetProperty("extra", out var extra) && extra.ValueKind == JsonValueKind.Object
        && extra.TryGetProperty("last_epoch_test", out var last) && last.ValueKind == JsonValueKind.Object ? last : null;

    /// <summary>
    /// The seeds' shared protocol. Each run names the epoch it tested ("model of epoch 90"); those differ by seed and are
    /// listed in seed order ("model of the selected epoch per seed: 90, 70, 42"). Runs whose protocols differ in
    /// anything else (split, filter, ranking) cannot share a mean: that is an error naming both files.
    /// </summary>
    internal static string CommonProtocol(string model, IReadOnlyList<(string File, string Protocol)> runs)
    {
        var epochs = new List<string>();
        string? shared = null, sharedFile = null;
        foreach (var (file, protocol) in runs)
        {
            var match = TestedEpoch.Match(protocol);
            epochs.Add(match.Success ? match.Groups[1].Value : "?");
            var rest = TestedEpoch.Replace(protocol, PerSeedEpoch);
            if (shared is null)
            {
                (shared, sharedFile) = (rest, file);
            }
            else if (rest != shared)
            {
                throw new InvalidDataException($"{model}: {file} was tested under another protocol than {sharedFile} ('{rest}' vs '{shared}')");
            }
        }

        return shared!.Replace(PerSeedEpoch, $"{PerSeedEpoch}: {string.Join(", ", epochs)}", StringComparison.Ordinal);
    }

    private const string PerSeedEpoch = "model of the selected epoch per seed";

    /// <summary>A model row's protocol without the list of tested epochs: what two arms must share to be compared.</summary>
    internal static string WithoutTestedEpochs(string protocol) => TestedEpochList.Replace(protocol, PerSeedEpoch);

    private static readonly Regex TestedEpochList = new(PerSeedEpoch + @": [0-9?, ]*[0-9?]", RegexOptions.CultureInvariant);

    private static readonly Regex TestedEpoch = new(@"model of epoch (\d+)", RegexOptions.CultureInvariant);

    private static JsonElement Parse(string file)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllText(file)).RootElement;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file}: not a bench JSON file ({e.Message})", e);
        }
    }

    private static double Metric(JsonElement metrics, string key, string file, string where = "") =>
        metrics.TryGetProperty(key, out var value) ? value.GetDouble() : throw new InvalidDataException($"{file}: no metric '{key}'{where}");

    internal static string Markdown(Table table, IReadOnlyList<string> keys)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"| dataset | model | seeds | {string.Join(" | ", keys)} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"|---|---|---|{string.Concat(keys.Select(_ => "---|"))}");
        foreach (var floor in table.Floors)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {floor.Dataset} | {floor.Model} (floor) | - | {string.Join(" | ", keys.Select(k => floor.Metrics[k].ToString("F4", CultureInfo.InvariantCulture)))} |");
        }

        static string Cell(Spread s) => s.N > 1 ? string.Create(CultureInfo.InvariantCulture, $"{s.Mean:F4} ± {s.Sd:F4}") : s.Mean.ToString("F4", CultureInfo.InvariantCulture);
        foreach (var row in table.Models)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {row.Dataset} | {row.Model} | {string.Join(", ", row.Seeds)} | {string.Join(" | ", keys.Select(k => Cell(row.Metrics[k])))} |");
            if (row.LastEpochMetrics is { } last)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {row.Dataset} | {row.Model}, last epoch | {string.Join(", ", row.Seeds)} | {string.Join(" | ", keys.Select(k => Cell(last[k])))} |");
            }
        }

        var coldStarts = table.Models.Where(m => m.ColdStart is not null).ToArray();
        if (coldStarts.Length > 0)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"| dataset | model | seeds | history items | users | {string.Join(" | ", keys.Select(k => $"model {k}"))} | {string.Join(" | ", keys.Select(k => $"most popular {k}"))} |");
            text.AppendLine(CultureInfo.InvariantCulture, $"|---|---|---|---|---|{string.Concat(keys.Select(_ => "---|"))}{string.Concat(keys.Select(_ => "---|"))}");
            foreach (var row in coldStarts)
            {
                foreach (var c in row.ColdStart!)
                {
                    var model = keys.Select(k => c.Model is { } m ? Cell(m[k]) : "-");
                    text.AppendLine(CultureInfo.InvariantCulture, $"| {row.Dataset} | {row.Model} | {string.Join(", ", row.Seeds)} | {c.HistoryItems} | {c.Users} | {string.Join(" | ", model)} | {string.Join(" | ", keys.Select(k => Cell(c.MostPopular[k])))} |");
                }
            }
        }

        return text.ToString();
    }
}
