using GenRec.Cli.Commands;
using GenRec.Configuration;
using GenRec.Checkpoints;
using System.CommandLine;
using System.Diagnostics;
using GenRec.AspNetCore;
using GenRec.Cli.Terminal;
using GenRec.Data;
using GenRec.Serving;
using GenRec.Serving.Indexing;

namespace GenRec.Cli.Bench;

/// <summary>
/// <c>genrec bench serve</c>: (1) recall@10 of the HNSW index against exact search for every user's
/// query vector (history filtered), at several beam widths, with per-query latency; (2) the HTTP
/// service on loopback under concurrent load from a bounded C# client (N workers, each sending its
/// next request when the last one is answered) for <c>/recommend</c> and <c>/rank</c>: p50/p90/p99
/// latency and throughput. Writes <c>bench/results/serving-&lt;dataset&gt;.json</c>.
/// </summary>
internal static class BenchServeCommand
{
    private static readonly int[] BeamWidths = [16, 32, 64, 128];

    public static Command Create(Option<string> output)
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "Retrieval checkpoint (dot-product model)", Required = true };
        var ranker = new Option<string?>("--ranker") { Description = "HSTU ranking checkpoint for /rank (optional)" };
        var index = new Option<IndexKind>("--index") { Description = "Index the service uses: exact, hnsw (ours) or usearch", DefaultValueFactory = _ => IndexKind.Hnsw };
        var concurrency = new Option<string>("--concurrency") { Description = "Concurrent client workers, one load run per value (comma-separated)", DefaultValueFactory = _ => "1,8" };
        var seconds = new Option<double>("--seconds") { Description = "Load duration per endpoint", DefaultValueFactory = _ => 15 };
        var candidates = new Option<int>("--candidates") { Description = "Candidates per /rank request", DefaultValueFactory = _ => 100 };
        var name = new Option<string?>("--name") { Description = "Dataset name in the result file name" };
        var tag = new Option<string?>("--tag") { Description = "Suffix of the result file name (e.g. the fast-path arm)" };
        var device = DeviceOption.Create();
        var command = new Command("serve", "Recall of the approximate index and HTTP latency/throughput under load") { checkpoint, ranker, index, concurrency, seconds, candidates, name, tag, device, output };
        command.SetAction(async (r, cancel) =>
        {
            var clock = Stopwatch.StartNew();
            var on = DeviceOption.Resolve(r.GetValue(device));
            var engine = RetrievalEngine.Load(r.GetValue(checkpoint)!, new() { Device = on, Log = Output.Info }, r.GetValue(index));
            var items = engine.Items ?? throw new ArgumentException("the approximate index needs a dot-product model (Mixture-of-Logits has no item vectors)");
            var datasetName = r.GetValue(name) ?? engine.Dataset.Name;
            var recall = MeasureRecall(engine, items);
            foreach (var row in recall.Hnsw)
            {
                System.Console.WriteLine($"hnsw efSearch {row.EfSearch}: recall@10 {row.Recall10:F4}, {row.MicrosecondsPerQuery:F0} us/query (exact: {recall.ExactMicrosecondsPerQuery:F0} us/query, batched exact {recall.ExactBatchedMicrosecondsPerQuery:F1} us/query)");
            }

            var rankingEngine = r.GetValue(ranker) is { } rankerPath ? RankingEngine.Load(rankerPath, engine.Dataset, on) : null;
            var options = new GenRecServingOptions { Port = 0 };
            await using var app = RecommendationService.Build(new ModelHost(engine, rankingEngine, _ => throw new InvalidOperationException("no reloads in the benchmark")), options);
            await app.StartAsync(cancel);
            var address = RecommendationService.Address(app);
            var users = engine.Dataset.UserKeys;
            var itemKeys = engine.Dataset.ItemKeys;
            var workerCounts = r.GetValue(concurrency)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
            var duration = TimeSpan.FromSeconds(r.GetValue(seconds));
            var candidateCount = r.GetValue(candidates);
            var loads = new List<LoadResult>();
            foreach (var workers in workerCounts)
            {
                loads.Add(await LoadGenerator.Run(address, "/recommend", workers, duration, rng => new { user = users[rng.Next(users.Length)], k = 10 }, cancel));
                loads.Add(await LoadGenerator.Run(address, "/rank", workers, duration, rng => new
                {
                    user = users[rng.Next(users.Length)],
                    candidates = Enumerable.Range(0, candidateCount).Select(_ => itemKeys[1 + rng.Next(itemKeys.Length - 1)]).ToArray(),
                }, cancel));
            }

            await app.StopAsync(CancellationToken.None);
            foreach (var load in loads)
            {
                System.Console.WriteLine($"{load.Endpoint}: {load.Requests} requests, {load.Errors} errors, {load.RequestsPerSecond:F0} req/s, p50 {load.P50Ms:F2} ms, p90 {load.P90Ms:F2} ms, p99 {load.P99Ms:F2} ms ({load.Workers} workers)");
            }

            var most = workerCounts.Max();
            var recommend = loads.First(l => l.Endpoint == "/recommend" && l.Workers == most);
            var rank = loads.First(l => l.Endpoint == "/rank" && l.Workers == most);
            var single = loads.Where(l => l.Workers == 1).ToDictionary(l => l.Endpoint);
            var atDefault = recall.Hnsw.First(h => h.EfSearch == 64);
            var metrics = new SortedDictionary<string, double>
            {
                ["recall@10"] = atDefault.Recall10,
                ["recommend_p50_ms"] = recommend.P50Ms,
                ["recommend_p99_ms"] = recommend.P99Ms,
                ["recommend_rps"] = recommend.RequestsPerSecond,
                ["rank_p50_ms"] = rank.P50Ms,
                ["rank_p99_ms"] = rank.P99Ms,
                ["rank_rps"] = rank.RequestsPerSecond,
            };
            if (single.TryGetValue("/recommend", out var oneRecommend) && single.TryGetValue("/rank", out var oneRank))
            {
                metrics["recommend_p50_ms_1_worker"] = oneRecommend.P50Ms;
                metrics["recommend_p99_ms_1_worker"] = oneRecommend.P99Ms;
                metrics["rank_p50_ms_1_worker"] = oneRank.P50Ms;
                metrics["rank_p99_ms_1_worker"] = oneRank.P99Ms;
            }

            var report = BenchReport.Create(
                "serving",
                datasetName,
                $"recall@10 of HNSW (M 16, efConstruction 200, efSearch 64) vs exact search over {users.Length} users' query vectors, history filtered; HTTP on loopback, closed-loop C# workers ({string.Join(", ", workerCounts)}) in the same process; p50/p99/rps keys at {most} workers, {duration.TotalSeconds} s per endpoint; /rank with {candidateCount} candidates{(rankingEngine is null ? "" : " and the HSTU ranker")}",
                metrics,
                clock.Elapsed.TotalSeconds,
                new { checkpoint = engine.Source, ranker = rankingEngine?.Source, service_index = engine.IndexName, workers = workerCounts, seconds = duration.TotalSeconds, candidates = candidateCount },
                new { recall, load = loads });
            var path = report.Write(r.GetValue(output)!, r.GetValue(tag));
            System.Console.WriteLine(report.Summary() + $" -> {path}");
            return 0;
        });
        return command;
    }

    internal sealed record HnswRecall(int EfSearch, double Recall10, double MicrosecondsPerQuery);

    internal sealed record RecallReport(int Queries, int Items, double HnswBuildSeconds, double ExactMicrosecondsPerQuery, double ExactBatchedMicrosecondsPerQuery, IReadOnlyList<HnswRecall> Hnsw);

    private static RecallReport MeasureRecall(RetrievalEngine engine, ItemVectors items)
    {
        var data = engine.Dataset;
        var queries = engine.UserStates(data.Sequences);

        var excludes = data.Sequences.Select(s => (IReadOnlySet<int>?)s.ToHashSet()).ToArray();
        var exact = new ExactItemIndex(items);
        var watch = Stopwatch.StartNew();
        var truth = exact.SearchBatch(queries.SelectMany(q => q).ToArray(), 10, excludes);
        var batchedMicroseconds = watch.Elapsed.TotalMicroseconds / queries.Length;
        watch.Restart();
        var sample = Math.Min(500, queries.Length);
        for (var u = 0; u < sample; u++)
        {
            exact.Search(queries[u], 10, excludes[u]);
        }

        var exactMicroseconds = watch.Elapsed.TotalMicroseconds / sample;
        watch.Restart();
        var hnsw = new HnswIndex(items);
        var buildSeconds = watch.Elapsed.TotalSeconds;
        var rows = new List<HnswRecall>();
        foreach (var ef in BeamWidths)
        {
            hnsw.EfSearch = ef;
            double hits = 0;
            watch.Restart();
            for (var u = 0; u < queries.Length; u++)
            {
                var expected = truth[u].Select(s => s.Item).ToHashSet();
                hits += hnsw.Search(queries[u], 10, excludes[u]).Count(s => expected.Contains(s.Item));
            }

            rows.Add(new HnswRecall(ef, hits / truth.Sum(t => t.Count), watch.Elapsed.TotalMicroseconds / queries.Length));
        }

        return new RecallReport(queries.Length, items.Count - 1, buildSeconds, exactMicroseconds, batchedMicroseconds, rows);
    }
}
