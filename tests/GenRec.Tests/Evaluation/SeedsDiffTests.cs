using System.Globalization;
using GenRec.Cli.Bench;
using GenRec.Cli.Commands;

namespace GenRec.Tests.Evaluation;

/// <summary><c>bench seeds-diff</c>: the difference of two seeded arms with its standard error from the seed spreads.</summary>
public sealed class SeedsDiffTests
{
    private static string F(double v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Run(TempDir dir, string arm, string model, int seed, double hr, string userFeatures = "", string coldStart = "", string protocol = "full ranking")
    {
        var config = "{\"seed\": " + seed + ", \"model\": {\"features\": {\"user\": [" + userFeatures + "]}}}";
        var cold = coldStart.Length > 0 ? ", \"cold_start\": [" + coldStart + "]" : "";
        return dir.File($"{arm}/{model}-{seed}.json", $$$"""{"model": "{{{model}}}", "dataset": "ml", "protocol": "{{{protocol}}}; model of epoch {{{seed * 10}}}", "metrics": {"hr@10": {{{F(hr)}}}}, "config": {{{config}}}{{{cold}}}}""");
    }

    private static string Cold(int n, double model, double popular) =>
        $$$"""{"history_items": {{{n}}}, "users": 40, "model": {"hr@10": {{{F(model)}}}}, "most_popular": {"hr@10": {{{F(popular)}}}}}""";

    [Fact]
    public void TheDifferenceOfMeansCarriesTheWelchStandardErrorOfTheTwoSeedSpreads()
    {
        using var dir = new TempDir();
        string[] features = [Run(dir, "a", "sasrec-features", 1, 0.30, "\"age\"", $"{Cold(0, 0.03, 0.02)}, {Cold(1, 0.04, 0.02)}"), Run(dir, "a", "sasrec-features", 2, 0.32, "\"age\"", $"{Cold(0, 0.05, 0.02)}, {Cold(1, 0.06, 0.02)}")];
        string[] idOnly = [Run(dir, "b", "sasrec", 1, 0.28, coldStart: $"{Cold(0, 0.0058, 0.02)}, {Cold(1, 0.01, 0.02)}"), Run(dir, "b", "sasrec", 2, 0.29, coldStart: $"{Cold(0, 0.0058, 0.02)}, {Cold(1, 0.02, 0.02)}"), Run(dir, "b", "sasrec", 3, 0.30, coldStart: $"{Cold(0, 0.0058, 0.02)}, {Cold(1, 0.03, 0.02)}")];

        var pair = BenchSeedsDiffCommand.Build(features, idOnly, ["hr@10"]).Pairs.Single(); // one model per arm: paired though the names differ

        Assert.Equal(("sasrec-features", "sasrec"), (pair.Model, pair.Against));
        Assert.Equal([1, 2, 3], pair.AgainstSeeds);
        var gap = pair.Metrics["hr@10"];
        Assert.Equal(0.02, gap.Difference, 10);                                  // 0.31 - 0.29
        Assert.Equal(Math.Sqrt((0.0002 / 2) + (0.0001 / 3)), gap.StandardError, 10); // sd_a^2 = 0.0002 over 2 seeds, sd_b^2 = 0.0001 over 3
        Assert.Equal((0.31 / 0.29) - 1, gap.Relative, 10);
        Assert.Null(pair.LastEpochMetrics);                                      // neither arm recorded its last epoch

        Assert.Null(pair.ColdStart![0].Metrics);                                 // the id-only model has no input at 0 items
        Assert.Contains("sasrec: ", pair.ColdStart[0].Absent);
        Assert.Equal(0.03, pair.ColdStart[1].Metrics!["hr@10"].Difference, 10); // 0.05 - 0.02
        Assert.Contains("| ml | sasrec-features (seeds 1, 2) | sasrec (seeds 1, 2, 3) | selected epoch | +0.0200 ± 0.0115 (+6.9%) |", BenchSeedsDiffCommand.Markdown(BenchSeedsDiffCommand.Build(features, idOnly, ["hr@10"]), ["hr@10"]));
    }

    [Fact]
    public void ADifferenceThatRoundsToZeroKeepsItsOwnSignOnce()
    {
        using var dir = new TempDir();
        string[] a = [Run(dir, "a", "sasrec", 1, 0.29997)];
        string[] b = [Run(dir, "b", "sasrec", 1, 0.3)];

        var table = BenchSeedsDiffCommand.Markdown(BenchSeedsDiffCommand.Build(a, b, ["hr@10"]), ["hr@10"]);

        Assert.Contains("| -0.0000 (-0.0%) |", table);                    // -0.00003: once "-+0.0000"
        Assert.Contains("| +0.0000 (+0.0%) |", BenchSeedsDiffCommand.Markdown(BenchSeedsDiffCommand.Build(b, a, ["hr@10"]), ["hr@10"]));
    }

    [Fact]
    public void ArmsWithSeveralModelsPairByNameAndArmsWithNothingInCommonAreAnError()
    {
        using var dir = new TempDir();
        string[] a = [Run(dir, "a", "hstu-ranking", 1, 0.8), Run(dir, "a", "history-free-ranking", 1, 0.7)];
        string[] b = [Run(dir, "b", "hstu-ranking", 1, 0.75), Run(dir, "b", "history-free-ranking", 1, 0.71), Run(dir, "b", "other", 1, 0.1)];

        var pairs = BenchSeedsDiffCommand.Build(a, b, ["hr@10"]).Pairs;

        Assert.Equal(["history-free-ranking", "hstu-ranking"], pairs.Select(p => p.Model).Order(StringComparer.Ordinal));
        Assert.All(pairs, p => Assert.Equal(p.Model, p.Against));
        Assert.Equal(0.05, pairs.Single(p => p.Model == "hstu-ranking").Metrics["hr@10"].Difference, 10);
        Assert.True(double.IsNaN(pairs[0].Metrics["hr@10"].StandardError));    // one seed per arm: no spread, no standard error
        Assert.Contains("arm A holds sasrec on ml, arm B history-free-ranking on ml, hstu-ranking on ml",
            Assert.Throws<InvalidDataException>(() => BenchSeedsDiffCommand.Build([Run(dir, "c", "sasrec", 1, 0.3)], b[..2], ["hr@10"])).Message);
        Assert.Contains("different protocols",                                   // tested epochs may differ (10 vs 20 here), the protocol may not
            Assert.Throws<InvalidDataException>(() => BenchSeedsDiffCommand.Build([Run(dir, "d", "sasrec", 1, 0.3, protocol: "100 negatives")], [Run(dir, "e", "sasrec", 2, 0.3)], ["hr@10"])).Message);
    }
}
