using System.Globalization;
using GenRec.Cli.Bench;
using GenRec.Cli.Commands;

namespace GenRec.Tests.Evaluation;

/// <summary><c>bench seeds-table</c>: mean and standard deviation over seeds, margins over the floors.</summary>
public sealed class SeedsTableTests
{
    private static string Run(TempDir dir, string model, int seed, double hr, double ndcg) =>
        dir.File($"{model}-{seed}.json", $$$"""{"model": "{{{model}}}", "dataset": "beauty", "protocol": "p", "metrics": {"hr@10": {{{hr.ToString(CultureInfo.InvariantCulture)}}}, "ndcg@10": {{{ndcg.ToString(CultureInfo.InvariantCulture)}}}}, "config": {"seed": {{{seed}}}}, "training": {"epochs_run": {{{seed * 10}}}}}""");

    [Fact]
    public void MeansAndSpreadsPerModelWithMarginsOverFloors()
    {
        using var dir = new TempDir();
        string[] runs = [Run(dir, "sasrec", 1, 0.08, 0.04), Run(dir, "sasrec", 2, 0.09, 0.05), Run(dir, "sasrec", 3, 0.10, 0.06), Run(dir, "hstu", 1, 0.07, 0.03)];
        var floor = dir.File("floor/transitions.json", """{"model": "transitions", "dataset": "beauty", "protocol": "p", "metrics": {"hr@10": 0.06, "ndcg@10": 0.04}}""");
        var table = BenchSeedsTableCommand.Build(runs, [floor], ["hr@10", "ndcg@10"]);

        var sasrec = table.Models.Single(m => m.Model == "sasrec");
        Assert.Equal([1, 2, 3], sasrec.Seeds);
        Assert.Equal(0.09, sasrec.Metrics["hr@10"].Mean, 10);
        Assert.Equal(0.01, sasrec.Metrics["hr@10"].Sd, 10);                 // sqrt(((-0.01)^2 + 0 + 0.01^2) / 2)
        Assert.Equal(20, sasrec.MeanEpochsRun);
        Assert.Equal(0.25, sasrec.MarginOverFloors["transitions"]["ndcg@10"], 10); // 0.05 / 0.04 - 1
        Assert.True(double.IsNaN(table.Models.Single(m => m.Model == "hstu").Metrics["hr@10"].Sd));
        Assert.Contains("0.0900 ± 0.0100", BenchSeedsTableCommand.Markdown(table, ["hr@10", "ndcg@10"]));

        Assert.Equal("full ranking; model of the selected epoch per seed: 90, 42",
            BenchSeedsTableCommand.CommonProtocol("m", [("a.json", "full ranking; model of epoch 90"), ("b.json", "full ranking; model of epoch 42")]));
        Assert.Contains("b.json was tested under another protocol than a.json",
            Assert.Throws<InvalidDataException>(() => BenchSeedsTableCommand.CommonProtocol("m", [("a.json", "full ranking; model of epoch 9"), ("b.json", "100 negatives; model of epoch 9")])).Message);

        Assert.Contains("seed given twice", Assert.Throws<InvalidDataException>(() => BenchSeedsTableCommand.Build([runs[0], Run(dir, "sasrec-copy", 9, 0, 0), dir.File("again.json", File.ReadAllText(runs[0]))], [], ["hr@10"])).Message);
    }

    [Fact]
    public void TheLastEpochsFiguresStandBesideTheSelectedOnesOnlyWhereEverySeedRecordedThem()
    {
        using var dir = new TempDir();
        string Selected(string model, int seed, double hr, double? lastHr)
        {
            var extra = lastHr is { } l ? "{\"last_tested_epoch\": 101, \"last_epoch_test\": {\"hr@10\": " + l.ToString(CultureInfo.InvariantCulture) + "}}" : "null";
            return dir.File($"{model}-{seed}.json", $$$"""{"model": "{{{model}}}", "dataset": "ml", "protocol": "p; model of epoch {{{seed}}}", "metrics": {"hr@10": {{{hr.ToString(CultureInfo.InvariantCulture)}}}}, "config": {"seed": {{{seed}}}}, "training": {"epochs_run": 101, "extra": {{{extra}}}}}""");
        }

        string[] runs = [Selected("sasrec", 1, 0.30, 0.28), Selected("sasrec", 2, 0.32, 0.26), Selected("hstu", 1, 0.31, 0.30), Selected("hstu", 2, 0.33, null)];
        var table = BenchSeedsTableCommand.Build(runs, [], ["hr@10"]);

        var sasrec = table.Models.Single(m => m.Model == "sasrec");
        Assert.Equal(0.31, sasrec.Metrics["hr@10"].Mean, 10);                  // the selected epochs' figures stay the main row
        Assert.Equal(0.27, sasrec.LastEpochMetrics!["hr@10"].Mean, 10);
        Assert.Equal(Math.Sqrt(0.0002), sasrec.LastEpochMetrics["hr@10"].Sd, 10); // sqrt((0.01^2 + 0.01^2) / 1)
        Assert.Null(table.Models.Single(m => m.Model == "hstu").LastEpochMetrics); // seed 2 recorded none: no mean over a subset
        var markdown = BenchSeedsTableCommand.Markdown(table, ["hr@10"]);
        Assert.Contains("| ml | sasrec, last epoch | 1, 2 | 0.2700 ± 0.0141 |", markdown);
        Assert.DoesNotContain("hstu, last epoch", markdown);
    }

    [Fact]
    public void ColdStartRowsAreAveragedPerHistoryLengthWithNoModelFigureWhereItHadNoInput()
    {
        using var dir = new TempDir();
        static string Hr(double v) => "{\"hr@10\": " + v.ToString(CultureInfo.InvariantCulture) + "}";
        string WithColdStart(string model, int seed, string userFeatures, params (int N, double Model, double Popular)[] rows)
        {
            var coldStart = string.Join(", ", rows.Select(r => $$$"""{"history_items": {{{r.N}}}, "users": 40, "model": {{{Hr(r.Model)}}}, "most_popular": {{{Hr(r.Popular)}}}}"""));
            var config = "{\"seed\": " + seed + ", \"model\": {\"features\": {\"user\": [" + userFeatures + "]}}}";
            return dir.File($"{model}-{seed}.json", $$$"""{"model": "{{{model}}}", "dataset": "ml", "protocol": "p", "metrics": {"hr@10": 0.3}, "config": {{{config}}}, "cold_start": [{{{coldStart}}}]}""");
        }

        string[] runs =
        [
            WithColdStart("sasrec", 1, "", (0, 0.0058, 0.02), (1, 0.014, 0.02)), WithColdStart("sasrec", 2, "", (0, 0.0058, 0.02), (1, 0.016, 0.02)),
            WithColdStart("sasrec-features", 1, "\"age\"", (0, 0.03, 0.02), (1, 0.04, 0.02)), WithColdStart("sasrec-features", 2, "\"age\"", (0, 0.05, 0.02), (1, 0.04, 0.02)),
            WithColdStart("hstu", 1, "", (0, 0.0058, 0.02)), WithColdStart("hstu", 2, "", (1, 0.01, 0.02)),
        ];
        var table = BenchSeedsTableCommand.Build(runs, [], ["hr@10"]);

        var idOnly = table.Models.Single(m => m.Model == "sasrec").ColdStart!;
        Assert.Null(idOnly[0].Model);                                            // no items, no user features: a tie order, not a figure
        Assert.Contains("no input", idOnly[0].ModelAbsent);
        Assert.Equal(0.02, idOnly[0].MostPopular["hr@10"].Mean, 10);
        Assert.Equal(0.015, idOnly[1].Model!["hr@10"].Mean, 10);
        Assert.Equal(Math.Sqrt(0.000002), idOnly[1].Model!["hr@10"].Sd, 10);   // sqrt((0.001^2 + 0.001^2) / 1)
        Assert.Equal(0.04, table.Models.Single(m => m.Model == "sasrec-features").ColdStart![0].Model!["hr@10"].Mean, 10);
        Assert.Null(table.Models.Single(m => m.Model == "hstu").ColdStart);     // the seeds tested different lengths: no mean
        var markdown = BenchSeedsTableCommand.Markdown(table, ["hr@10"]);
        Assert.Contains("| ml | sasrec | 1, 2 | 0 | 40 | - | 0.0200 ± 0.0000 |", markdown);
        Assert.Contains("| ml | sasrec-features | 1, 2 | 0 | 40 | 0.0400 ± 0.0141 | 0.0200 ± 0.0000 |", markdown);
    }

    [Fact]
    public void ABenchFileNamesTheBuildThatRanBesideTheTreesRevision()
    {
        using var dir = new TempDir();
        var report = BenchReport.Create("m", "d", "p", new Dictionary<string, double> { ["hr@10"] = 0.5 }, 1.0, new { seed = 1 });
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(report.Write(dir.Path)));

        var build = json.RootElement.GetProperty("build").GetString()!;
        Assert.StartsWith("0.1.0", build);                                       // the package version, then +<commit> when built from git
        Assert.Equal(typeof(BenchReport).Assembly.GetName().Version!.ToString(3), build.Split('+')[0]);
        Assert.True(json.RootElement.TryGetProperty("git_revision", out _));
    }
}
