using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace GenRec.Cli.Bench;

/// <summary>
/// <c>genrec bench epoch-columns &lt;config&gt;...</c>: the selected-epoch, last-epoch and best-test-epoch figures of seeded
/// runs, mean and sd over the seeds. Reads each seed's bench JSON in <c>bench/results/retrieval/seeds/&lt;config&gt;/</c> and,
/// for the best test epoch, the per-epoch test curve in its run folder (<c>&lt;runs&gt;/bench-&lt;config&gt;-seed&lt;S&gt;/metrics.jsonl</c>,
/// written by <c>test_every_epoch</c> runs). The best test epoch looks at the test item, so it can never choose a model;
/// it is printed to compare with published figures that came from early stopping on test.
/// </summary>
internal static class BenchEpochColumnsCommand
{
    private static readonly string[] Keys = ["hr@10", "ndcg@10"];

    public static Command Create()
    {
        var configs = new Argument<string[]>("configs") { Description = "Sweep names (bench seeds' --name, by default the config's file name)", Arity = ArgumentArity.OneOrMore };
        var runs = BenchCommand.RunsOption();
        var results = BenchCommand.OutputOption("retrieval");
        var command = new Command("epoch-columns", "Selected, last and best-test epoch figures of seeded runs (mean ± sd over seeds)") { configs, runs, results };
        command.SetAction(r =>
        {
            foreach (var config in r.GetValue(configs)!)
            {
                var columns = new Dictionary<string, List<JsonNode>> { ["selected"] = [], ["last"] = [], ["best test"] = [] };
                var files = Directory.Exists(Path.Combine(r.GetValue(results)!, "seeds", config))
                    ? Directory.GetFiles(Path.Combine(r.GetValue(results)!, "seeds", config), "*.json").Order(StringComparer.Ordinal).ToArray()
                    : throw new ArgumentException($"{config}: no seeded runs in {Path.Combine(r.GetValue(results)!, "seeds", config)} (genrec bench seeds writes them)");
                foreach (var path in files)
                {
                    var run = JsonNode.Parse(File.ReadAllText(path))!;
                    var seed = run["config"]!["seed"]!.GetValue<int>();
                    var curvePath = Path.Combine(r.GetValue(runs)!, $"bench-{config}-seed{seed}", "metrics.jsonl");
                    var (epoch, best) = BestTestEpoch(curvePath);
                    var last = run["training"]!["extra"]!["last_epoch_test"]!;
                    columns["selected"].Add(run["metrics"]!);
                    columns["last"].Add(last);
                    columns["best test"].Add(best);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{config} seed {seed}: selected epoch {run["training"]!["best_epoch"]} hr@10 {Hr(run["metrics"]!):F4}, last {Hr(last):F4}, best test epoch {epoch} hr@10 {Hr(best):F4}"));
                }

                foreach (var (name, rows) in columns)
                {
                    Console.WriteLine($"  {config} {name}: " + string.Join(" / ", Keys.Select(k => $"{k} {Spread([.. rows.Select(x => x[k]!.GetValue<double>())])}")));
                }
            }

            return 0;
        });
        return command;
    }

    /// <summary>The epoch with the highest test HR@10 of a curve, and its test figures.</summary>
    internal static (int Epoch, JsonNode Test) BestTestEpoch(string metricsJsonl)
    {
        var tested = File.ReadLines(metricsJsonl).Where(line => line.Trim().Length > 0).Select(line => JsonNode.Parse(line)!)
            .Where(e => e["test"] is not null).ToArray();
        if (tested.Length == 0)
        {
            throw new InvalidDataException($"{metricsJsonl}: no per-epoch test figures (the run needs test_every_epoch)");
        }

        // The first of equal maxima, as Python's max does.
        var best = tested.Aggregate((a, b) => Hr(b["test"]!) > Hr(a["test"]!) ? b : a);
        return (best["epoch"]!.GetValue<int>(), best["test"]!);
    }

    private static double Hr(JsonNode metrics) => metrics["hr@10"]!.GetValue<double>();

    /// <summary>"mean ± sd" to four places (sd of one value: NaN).</summary>
    internal static string Spread(double[] values)
    {
        var mean = values.Average();
        var sd = values.Length > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1)) : double.NaN;
        return string.Create(CultureInfo.InvariantCulture, $"{mean:F4} ± {sd:F4}");
    }
}
