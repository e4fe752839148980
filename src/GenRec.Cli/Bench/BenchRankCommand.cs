using GenRec.Cli.Commands;
using GenRec.Training;
using GenRec.Checkpoints;
using GenRec.Configuration;
using System.CommandLine;
using System.Diagnostics;
using GenRec.Cli.Terminal;
using GenRec.Data;
using GenRec.Data.Splits;
using GenRec.Models.Ranking;
using GenRec.Training.Ranking;

namespace GenRec.Cli.Bench;

/// <summary>
/// <c>genrec bench rank</c>: trains the HSTU ranking model and the history-free baseline on one
/// config, tests both (AUC and log loss per task), measures batched candidate scoring (M-FALCON)
/// against one-by-one for 64, 256 and 1,024 candidates on a full-length history, and writes
/// <c>bench/results/hstu-ranking-&lt;dataset&gt;.json</c> and <c>history-free-ranking-&lt;dataset&gt;.json</c>.
/// </summary>
internal static class BenchRankCommand
{
    private static readonly int[] CandidateCounts = [64, 256, 1_024];

    public static Command Create(Option<string> output)
    {
        var options = new RunOptions("Folder of the two run folders, bench-<model>-<dataset>[-<tag>] (default runs)");
        var tag = new Option<string?>("--tag") { Description = "Suffix of the result files and run folders (e.g. features)" };
        var microBatch = new Option<int>("--micro-batch") { Description = "Candidates per pass in batched scoring", DefaultValueFactory = _ => 256 };
        var command = new Command("rank", "Train and test HSTU ranking and its history-free baseline; time batched candidate scoring") { microBatch, output, tag };
        options.AddTo(command);
        command.SetAction((r, cancel) =>
            Task.FromResult(Run(options.Load<RankingRunConfig>(r), r.GetValue(options.Out) ?? "runs", r.GetValue(tag), r.GetValue(options.Resume), r.GetValue(output)!, r.GetValue(microBatch), cancel) is null ? 130 : 0));
        return command;
    }

    /// <summary>
    /// Trains the ranker and its history-free baseline (run folders <c>bench-&lt;model&gt;-&lt;dataset&gt;[-&lt;tag&gt;]</c> under
    /// <paramref name="runs"/>), times candidate scoring and writes both bench JSON files; their paths, or null when interrupted.
    /// </summary>
    internal static string[]? Run(RankingRunConfig run, string runs, string? tag, bool resume, string resultsFolder, int microBatch, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var dataset = DatasetLoader.Load(run.Data.ToRequest(DatasetRequest.DefaultCacheDir), Output.Info);
        var datasetName = Path.GetFileName(Path.GetFullPath(run.Data.Path).TrimEnd('/'));
        var tasks = string.Join(", ", RankingTasks.Names(dataset.Ratings is not null));
        var results = new Dictionary<string, TrainingResult>();
        foreach (var (name, aware) in new[] { ("hstu-ranking", true), ("history-free-ranking", false) })
        {
            var variant = run with { Name = name, Model = run.Model with { HistoryAware = aware } };
            var outDir = Path.Combine(runs, $"bench-{name}-{datasetName}{(tag is { } t ? "-" + t : "")}");
            if (TrainCommand.Ranking(variant, outDir, resume, cancel, dataset) is not { } result)
            {
                return null;
            }

            results[name] = result;
        }

        using var model = Checkpoint.Open(results["hstu-ranking"].Checkpoint, new() { Device = Compute.ComputeDevice.Resolve(run.Compute.Device), Dataset = dataset }).TakeRanker("candidate scoring");
        var scoring = TimeCandidateScoring(model, dataset, microBatch);
        var paths = new List<string>();
        foreach (var (name, result) in results)
        {
            var report = BenchReport.Create(
                name,
                datasetName,
                $"leave-one-out; per test user the real next item and {run.Train.EvalNegatives} sampled items scored after the history; tasks {tasks}; model of epoch {result.BestEpoch}",
                result.Test,
                clock.Elapsed.TotalSeconds,
                run with { Model = run.Model with { HistoryAware = name == "hstu-ranking" } },
                TrainingSummary.Of(
                    result.EpochsRun, run.Train.Epochs, result.BestEpoch, result.StopReason ?? "", result.Steps, result.TrainSeconds, result.SamplesPerSecond, result.BestValidation,
                    name == "hstu-ranking" ? new { baseline_test = results["history-free-ranking"].Test, candidate_scoring = scoring } : null));
            paths.Add(report.Write(resultsFolder, tag));
            System.Console.WriteLine(report.Summary() + $" -> {paths[^1]}");
        }

        foreach (var s in scoring)
        {
            System.Console.WriteLine($"candidate scoring, history {s.HistoryItems} items, {s.Candidates} candidates: one-by-one {s.OneByOneMs:F1} ms, batched {s.BatchedMs:F1} ms, {s.Speedup:F1}x, max |diff| {s.MaxAbsDifference:E1}");
        }

        return [.. paths];
    }

    internal sealed record ScoringTiming(int Candidates, int HistoryItems, int MicroBatch, double OneByOneMs, double BatchedMs, double Speedup, double MaxAbsDifference);

    // Median of 3 timings each way on the longest test history (cut to the model's maximum).
    private static List<ScoringTiming> TimeCandidateScoring(HstuRanker model, SequenceDataset dataset, int microBatch)
    {
        var split = SequenceSplit.Create(dataset, SplitKind.LeaveOneOut);
        var longest = split.Test.MaxBy(c => c.History.Length)!;
        var history = RankingHistory.From(longest.History, longest.HistoryRatings, longest.HistoryTimestamps, model.Config.MaxHistory);
        var rng = new Random(1);
        var timings = new List<ScoringTiming>();
        foreach (var count in CandidateCounts)
        {
            var candidates = Enumerable.Range(0, count).Select(_ => 1 + rng.Next(dataset.NumItems)).ToArray();
            CandidateScorer.Score(model, history, candidates[..8], longest.TargetTimestamp, 1); // warm-up
            double Time(int batch, out float[] scores)
            {
                var runs = new List<double>();
                scores = [];
                for (var i = 0; i < 3; i++)
                {
                    var watch = Stopwatch.StartNew();
                    scores = CandidateScorer.Score(model, history, candidates, longest.TargetTimestamp, batch);
                    runs.Add(watch.Elapsed.TotalMilliseconds);
                }

                return runs.Order().ElementAt(1);
            }

            var oneByOne = Time(1, out var single);
            var batched = Time(microBatch, out var together);
            var diff = single.Zip(together).Max(p => Math.Abs(p.First - p.Second));
            timings.Add(new ScoringTiming(count, history.Length, microBatch, oneByOne, batched, oneByOne / batched, diff));
        }

        return timings;
    }
}
