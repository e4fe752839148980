using System.CommandLine;
using System.Diagnostics;
using GenRec.Checkpoints;
using GenRec.Data.Splits;
using GenRec.Evaluation;
using GenRec.Serving;

namespace GenRec.Cli.Bench;

/// <summary>
/// <c>genrec bench two-stage</c>: the served two-stage pipeline offline against retrieval alone, on the same test users
/// and the same candidates (leave-one-out: each user's last item, unseen by a retrieval run on a last-item split and by
/// a ranker on leave-one-out). HR@10 and NDCG@10 of retrieval's order and of the ranker's order of retrieval's top N,
/// their paired difference per user with its standard error, recall@N (the ranker's ceiling), and each stage's time per
/// user. Writes <c>&lt;results&gt;/two-stage-&lt;dataset&gt;[-&lt;tag&gt;].json</c>.
/// </summary>
internal static class BenchTwoStageCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "Retrieval checkpoint (e.g. a bench seeds run's best.ckpt), or a TIGER run's best.ckpt (its beams, as served: at least 20)", Required = true };
        var ranker = new Option<string?>("--ranker") { Description = "HSTU ranking checkpoint (bench rank / genrec train on a ranking config); without one, retrieval alone is measured as served" };
        var retrieve = new Option<int>("--retrieve") { Description = "Items retrieval hands to the ranker", DefaultValueFactory = _ => 200 };
        var weights = new Option<string?>("--task-weights") { Description = "Task weights of the ranking score, e.g. engage=1,like=0.5 (default 1 on every task)" };
        var users = new Option<int>("--users") { Description = "Test users, a seeded sample (0: all)", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { Description = "Seed of the user sample", DefaultValueFactory = _ => 42 };
        var tag = new Option<string?>("--tag") { Description = "Suffix of the result file name (e.g. hard-negatives)" };
        var results = BenchCommand.OutputOption("serving");
        var command = new Command("two-stage", "Retrieval's top N re-ordered by the HSTU ranker against retrieval alone (or retrieval alone, any served model), offline on the same users: HR/NDCG@10 with paired standard errors, stage times")
        {
            checkpoint, ranker, retrieve, weights, users, seed, tag, results,
        };
        command.SetAction(r =>
        {
            var clock = Stopwatch.StartNew();
            var n = r.GetValue(retrieve);
            var path = r.GetValue(checkpoint)!;
            var open = new CheckpointOpenOptions { Log = Terminal.Output.Info };
            using IRetriever retrieval = Checkpoint.KindOf(path) == CheckpointKind.Tiger ? GenerativeEngine.Load(path, open, maxBeams: Math.Max(256, n)) : RetrievalEngine.Load(path, open);
            var data = retrieval.Dataset;
            var rankingEngine = r.GetValue(ranker) is { } rankerPath ? RankingEngine.Load(rankerPath, data) : null;
            var tasks = rankingEngine?.Tasks ?? [];
            var weightsByTask = Commands.ServeCommand.Weights(r.GetValue(weights)) ?? tasks.ToDictionary(t => t, _ => 1f, StringComparer.Ordinal);
            var unknown = weightsByTask.Keys.Where(t => !tasks.Contains(t)).ToArray();
            if (unknown.Length > 0 || n < 10)
            {
                throw new ArgumentException(unknown.Length > 0 ? $"--task-weights: unknown task {string.Join(", ", unknown)} (the ranker's: {string.Join(", ", tasks)})" : $"--retrieve {n}: at least 10 (the metrics' cut-off)");
            }

            var cases = SequenceSplit.Create(data, SplitKind.LeaveOneOut).Test;
            var sample = r.GetValue(users) is > 0 and var m && m < cases.Length
                ? [.. cases.OrderBy(c => unchecked((c.User * 2_654_435_761L) ^ r.GetValue(seed))).Take(m).OrderBy(c => c.User)]
                : cases;
            TorchSharp.torch.set_num_threads(1);                                               // a server's forward pass: one thread
            Terminal.Output.Info($"{sample.Length:N0} test users of {data.Name}; retrieval's top {n}{(rankingEngine is null ? " alone" : $", then the ranker ({string.Join(", ", weightsByTask.Select(w => $"{w.Key} x {w.Value}"))})")}");
            var evaluated = TwoStageEvaluation.Run(retrieval, rankingEngine, sample, n, weightsByTask, done => Terminal.Output.Info($"  {done:N0} users"));

            var retrievalPlaces = evaluated.Select(e => e.RetrievalRank).ToArray();
            var twoStagePlaces = evaluated.Select(e => e.TwoStageRank).ToArray();
            var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
            foreach (var (name, places) in rankingEngine is null ? [("retrieval", retrievalPlaces)] : new[] { ("retrieval", retrievalPlaces), ("two_stage", twoStagePlaces) })
            {
                metrics[$"{name}_hr@10"] = TwoStageEvaluation.Hits(places, 10).Average();
                metrics[$"{name}_ndcg@10"] = TwoStageEvaluation.Ndcg(places, 10).Average();
            }

            metrics[$"recall@{n}"] = TwoStageEvaluation.Hits(retrievalPlaces, n).Average();
            foreach (var (key, of) in rankingEngine is null ? [] : new (string, Func<IEnumerable<int>, int, double[]>)[] { ("hr@10", TwoStageEvaluation.Hits), ("ndcg@10", TwoStageEvaluation.Ndcg) })
            {
                var (mean, se) = TwoStageEvaluation.PairedDifference(of(retrievalPlaces, 10), of(twoStagePlaces, 10));
                metrics[$"{key}_difference"] = mean;
                metrics[$"{key}_difference_se"] = se;
            }

            double Percentile(IEnumerable<double> seconds, double q) => seconds.Order().ElementAt((int)Math.Min(evaluated.Length - 1, Math.Floor(q * evaluated.Length))) * 1000;
            metrics["retrieve_ms_p50"] = Percentile(evaluated.Select(e => e.RetrieveSeconds), 0.5);
            metrics["retrieve_ms_p99"] = Percentile(evaluated.Select(e => e.RetrieveSeconds), 0.99);
            if (rankingEngine is not null)
            {
                metrics["rank_ms_p50"] = Percentile(evaluated.Select(e => e.RankSeconds), 0.5);
                metrics["rank_ms_p99"] = Percentile(evaluated.Select(e => e.RankSeconds), 0.99);
            }

            var report = BenchReport.Create(
                "two-stage",
                data.Name,
                $"leave-one-out test users ({sample.Length}); retrieval ({retrieval.Source}, {retrieval.IndexName}) top {n} with history items filtered"
                    + (rankingEngine is null ? "" : $", then the ranker ({rankingEngine.Source}) ordering them by {string.Join(" + ", weightsByTask.Select(w => $"{w.Value} {w.Key}"))}") + "; one thread, one user at a time",
                metrics,
                clock.Elapsed.TotalSeconds,
                new { checkpoint = r.GetValue(checkpoint), ranker = r.GetValue(ranker), retrieve = n, task_weights = weightsByTask, users = sample.Length, seed = r.GetValue(seed) });
            Console.WriteLine(report.Summary() + " -> " + report.Write(r.GetValue(results)!, r.GetValue(tag)));
            return 0;
        });
        return command;
    }
}
