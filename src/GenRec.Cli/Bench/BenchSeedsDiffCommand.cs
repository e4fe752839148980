using System.CommandLine;
using System.Globalization;
using System.Text;
using static GenRec.Cli.Bench.BenchSeedsTableCommand;

namespace GenRec.Cli.Bench;

/// <summary>
/// <c>genrec bench seeds-diff</c>: the difference between two seeded arms (e.g. with and without features, same budget),
/// per metric, with its standard error from the two seed spreads: d = mean_A − mean_B, s.e.(d) = sqrt(sd_A²/n_A + sd_B²/n_B)
/// (Welch; the arms' seeds are not paired: a seed gives different initial weights to models of different shapes). The
/// selected epochs', the last epochs' and the cold-start figures are compared where both arms have them. Models are
/// paired by name on the same dataset; where no name is shared and each arm holds one model, those two are paired. A
/// pair must share its protocol (split, ranking, filter) up to the epochs tested.
/// </summary>
internal static class BenchSeedsDiffCommand
{
    public static Command Create()
    {
        var runs = new Argument<string[]>("runs") { Description = "Arm A: per-seed bench JSON files, or folders of them", Arity = ArgumentArity.OneOrMore };
        var against = new Option<string[]>("--against") { Description = "Arm B (the reference): per-seed bench JSON files, or folders of them", Required = true, AllowMultipleArgumentsPerToken = true };
        var metrics = new Option<string>("--metrics") { Description = "Metric keys, comma-separated", DefaultValueFactory = _ => "hr@10,ndcg@10,hr@5,ndcg@5" };
        var output = new Option<string>("--out") { Description = "Output JSON", Required = true };
        var command = new Command("seeds-diff", "Difference of two seeded arms per metric, with its standard error from the seed spreads") { runs, against, metrics, output };
        command.SetAction(r =>
        {
            var keys = MetricKeys(r.GetValue(metrics)!);
            var diff = Build(Files(r.GetValue(runs)!), Files(r.GetValue(against)!), keys);
            Publish(diff, Markdown(diff, keys), r.GetValue(output)!);
            return 0;
        });
        return command;
    }

    /// <summary>Mean of A minus mean of B, its standard error (NaN unless both arms have 2+ seeds) and the relative change d / mean_B.</summary>
    internal sealed record Gap(double Difference, double StandardError, double Relative)
    {
        public static Gap Of(Spread a, Spread b) =>
            new(a.Mean - b.Mean, a.N > 1 && b.N > 1 ? Math.Sqrt((a.Sd * a.Sd / a.N) + (b.Sd * b.Sd / b.N)) : double.NaN, b.Mean != 0 ? (a.Mean / b.Mean) - 1 : double.NaN);
    }

    /// <summary>The cold start at one history length: model A against model B where both had input, else null (<paramref name="Absent"/> says why).</summary>
    internal sealed record ColdStartGap(int HistoryItems, SortedDictionary<string, Gap>? Metrics, string? Absent);

    internal sealed record Pair(string Dataset, string Model, int[] Seeds, string Against, int[] AgainstSeeds, SortedDictionary<string, Gap> Metrics, SortedDictionary<string, Gap>? LastEpochMetrics, ColdStartGap[]? ColdStart);

    internal sealed record Diff(Pair[] Pairs, string Note, string GitRevision, DateTimeOffset Date);

    internal static Diff Build(IReadOnlyList<string> armA, IReadOnlyList<string> armB, IReadOnlyList<string> keys)
    {
        var a = BenchSeedsTableCommand.Build(armA, [], keys).Models;
        var b = BenchSeedsTableCommand.Build(armB, [], keys).Models;
        var byName = a.SelectMany(x => b.Where(y => y.Dataset == x.Dataset && y.Model == x.Model).Select(y => (A: x, B: y))).ToList();
        if (byName.Count == 0 && a.Length == 1 && b.Length == 1 && a[0].Dataset == b[0].Dataset)
        {
            byName.Add((a[0], b[0]));
        }

        if (byName.Count == 0)
        {
            throw new InvalidDataException($"nothing to compare: arm A holds {Names(a)}, arm B {Names(b)} (models pair by name on the same dataset, or one model per arm)");
        }

        foreach (var (x, y) in byName.Where(p => WithoutTestedEpochs(p.A.Protocol) != WithoutTestedEpochs(p.B.Protocol)))
        {
            throw new InvalidDataException($"{x.Model} and {y.Model} on {x.Dataset} were tested under different protocols ('{x.Protocol}' vs '{y.Protocol}'): their difference would mix the protocols' effect with the models'");
        }

        return new Diff(
            [.. byName.Select(p => new Pair(p.A.Dataset, p.A.Model, p.A.Seeds, p.B.Model, p.B.Seeds, Gaps(p.A.Metrics, p.B.Metrics, keys), p.A.LastEpochMetrics is { } la && p.B.LastEpochMetrics is { } lb ? Gaps(la, lb, keys) : null, ColdStartGaps(p.A, p.B, keys)))],
            "difference = mean of the model minus mean of the one it is set against; standard error sqrt(sd_a^2/n_a + sd_b^2/n_b) over the seeds (n - 1 deviations); relative = difference / the reference's mean",
            GitRevision.Current(),
            DateTimeOffset.UtcNow);
    }

    private static string Names(ModelRow[] rows) => rows.Length == 0 ? "no model" : string.Join(", ", rows.Select(r => $"{r.Model} on {r.Dataset}"));

    private static SortedDictionary<string, Gap> Gaps(SortedDictionary<string, Spread> a, SortedDictionary<string, Spread> b, IReadOnlyList<string> keys) =>
        new(keys.ToDictionary(k => k, k => Gap.Of(a[k], b[k])), StringComparer.Ordinal);

    private static ColdStartGap[]? ColdStartGaps(ModelRow a, ModelRow b, IReadOnlyList<string> keys)
    {
        if (a.ColdStart is null || b.ColdStart is null)
        {
            return null;
        }

        return [.. a.ColdStart.Where(x => b.ColdStart.Any(y => y.HistoryItems == x.HistoryItems)).Select(x =>
        {
            var y = b.ColdStart.Single(c => c.HistoryItems == x.HistoryItems);
            return x.Model is { } ma && y.Model is { } mb
                ? new ColdStartGap(x.HistoryItems, Gaps(ma, mb, keys), null)
                : new ColdStartGap(x.HistoryItems, null, x.Model is null ? $"{a.Model}: {x.ModelAbsent}" : $"{b.Model}: {y.ModelAbsent}");
        })];
    }

    internal static string Markdown(Diff diff, IReadOnlyList<string> keys)
    {
        static string Cell(Gap g) => double.IsNaN(g.StandardError)
            ? $"{SignedNumber.Format(g.Difference)} ({SignedNumber.Format(g.Relative, "0.0%")})"
            : string.Create(CultureInfo.InvariantCulture, $"{SignedNumber.Format(g.Difference)} ± {g.StandardError:F4} ({SignedNumber.Format(g.Relative, "0.0%")})");
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"| dataset | model | against | tested | {string.Join(" | ", keys)} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"|---|---|---|---|{string.Concat(keys.Select(_ => "---|"))}");
        foreach (var p in diff.Pairs)
        {
            var head = $"| {p.Dataset} | {p.Model} (seeds {string.Join(", ", p.Seeds)}) | {p.Against} (seeds {string.Join(", ", p.AgainstSeeds)})";
            text.AppendLine(CultureInfo.InvariantCulture, $"{head} | selected epoch | {string.Join(" | ", keys.Select(k => Cell(p.Metrics[k])))} |");
            if (p.LastEpochMetrics is { } last)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{head} | last epoch | {string.Join(" | ", keys.Select(k => Cell(last[k])))} |");
            }

            foreach (var c in p.ColdStart ?? [])
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{head} | first {c.HistoryItems} items | {string.Join(" | ", keys.Select(k => c.Metrics is { } m ? Cell(m[k]) : "-"))} |");
            }
        }

        return text.ToString();
    }
}
