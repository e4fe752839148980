using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using GenRec.Training;

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
                var columns = new Dictionary<string, List<IReadOnlyDictionary<string, double>>> { ["selected"] = [], ["last"] = [], ["best test"] = [] };
                var files = Directory.Exists(Path.Combine(r.GetValue(results)!, "seeds", config))
                    ? Directory.GetFiles(Path.Combine(r.GetValue(results)!, "seeds", config), "*.json").Order(StringComparer.Ordinal).ToArray()
                    : throw new ArgumentException($"{config}: no seeded runs in {Path.Combine(r.GetValue(results)!, "seeds", config)} (genrec bench seeds writes them)");
                foreach (var path in files)
                {
                    var run = JsonNode.Parse(File.ReadAllText(path))!;
                    var seed = run["config"]!["seed"]!.GetValue<int>();
                    var curvePath = Path.Combine(r.GetValue(runs)!, $"bench-{config}-seed{seed}", "metrics.jsonl");
                    var (epoch, best) = BestTestEpoch(curvePath);
                    var selected = Figures(run["metrics"]!);
                    var last = Figures(run["training"]!["extra"]!["last_epoch_test"]!);
                    columns["selected"].Add(selected);
                    columns["last"].Add(last);
                    columns["best test"].Add(best);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{config} seed {seed}: selected epoch {run["training"]!["best_epoch"]} hr@10 {selected["hr@10"]:F4}, last {last["hr@10"]:F4}, best test epoch {epoch} hr@10 {best["hr@10"]:F4}"));
                }

                foreach (var (name, rows) in columns)
                {
                    Console.WriteLine($"  {config} {name}: " + string.Join(" / ", Keys.Select(k => $"{k} {Spread([.. rows.Select(x => x[k])])}")));
                }
            }

            return 0;
        });
        return command;
    }

    /// <summary>The epoch with the highest test HR@10 of a curve (<see cref="EpochLoop.ReadLog"/>), and its test figures.</summary>
    internal static (int Epoch, IReadOnlyDictionary<string, double> Test) BestTestEpoch(string metricsJsonl)
    {
        var tested = EpochLoop.ReadLog(metricsJsonl).Where(e => e.Test is not null).ToArray();
        if (tested.Length == 0)
        {
            throw new InvalidDataException($"{metricsJsonl}: no per-epoch test figures (the run needs test_every_epoch)");
        }

        // The first of equal maxima, as Python's max does.
        var best = tested.Aggregate((a, b) => b.Test!["hr@10"] > a.Test!["hr@10"] ? b : a);
        return (best.Epoch, best.Test!);
    }

    private static IReadOnlyDictionary<string, double> Figures(JsonNode metrics) => metrics.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<double>());

    /// <summary>"mean ± sd" to four places (sd of one value: NaN), from <see cref="BenchSeedsTableCommand.Spread"/>.</summary>
    internal static string Spread(double[] values)
    {
        var spread = BenchSeedsTableCommand.Spread.Of(values);
        return string.Create(CultureInfo.InvariantCulture, $"{spread.Mean:F4} ± {spread.Sd:F4}");
    }
}
