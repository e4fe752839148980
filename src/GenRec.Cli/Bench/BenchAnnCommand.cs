using System.CommandLine;
using System.Diagnostics;
using GenRec.Cli.Terminal;
using GenRec.Serving;
using GenRec.Serving.Indexing;

namespace GenRec.Cli.Bench;

/// <summary>
/// <c>genrec bench ann</c>: our HNSW (<see cref="HnswIndex"/>) against USearch's (<see cref="USearchItemIndex"/>, the
/// <c>Cloud.Unum.USearch</c> package) on a trained model's item vectors, with every user's query vector and history
/// filtered, as the service asks: build time, recall@10 against exact search and microseconds per query (one thread)
/// at each beam width; then the open catalogue's case, a share of the items held back, each index built on the rest
/// and the held-back items added in place (USearch) or the graph rebuilt (ours, which has no in-place add), with the
/// recall after the change. Writes <c>bench/results/serving/ann-&lt;dataset&gt;.json</c>.
/// </summary>
internal static class BenchAnnCommand
{
    private static readonly int[] BeamWidths = [16, 32, 64, 128, 256];

    public static Command Create(Option<string> output)
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "Retrieval checkpoint (dot-product model)", Required = true };
        var heldBack = new Option<double>("--held-back") { Description = "Share of the items added after the build (the arrivals)", DefaultValueFactory = _ => 0.05 };
        var name = new Option<string?>("--name") { Description = "Dataset name in the result file name" };
        var command = new Command("ann", "Our HNSW against USearch: recall@10, latency, build and in-place add") { checkpoint, heldBack, name, output };
        command.SetAction(r =>
        {
            var clock = Stopwatch.StartNew();
            var engine = RetrievalEngine.Load(r.GetValue(checkpoint)!, new() { Log = Output.Info }, Configuration.IndexKind.Exact);
            var items = engine.Items ?? throw new ArgumentException("the approximate index needs a dot-product model (Mixture-of-Logits has no item vectors)");
            var data = engine.Dataset;
            var queries = engine.UserStates(data.Sequences);
            var excludes = data.Sequences.Select(s => (IReadOnlySet<int>?)s.ToHashSet()).ToArray();
            var truth = new ExactItemIndex(items).SearchBatch(queries.SelectMany(q => q).ToArray(), 10, excludes);

            // Recall@10 and one-thread microseconds per query of an index over the users' queries.
            (double Recall, double Microseconds) Measure(IItemIndex index, int[]? users = null)
            {
                users ??= [.. Enumerable.Range(0, queries.Length)];
                double hits = 0, total = 0;
                var watch = Stopwatch.StartNew();
                foreach (var u in users)
                {
                    var expected = truth[u].Select(s => s.Item).ToHashSet();
                    hits += index.Search(queries[u], 10, excludes[u]).Count(s => expected.Contains(s.Item));
                    total += expected.Count;
                }

                return (hits / total, watch.Elapsed.TotalMicroseconds / users.Length);
            }

            var rows = new List<object>();
            var metrics = new SortedDictionary<string, double>();
            foreach (var ef in BeamWidths)
            {
                var watch = Stopwatch.StartNew();
                var ours = new HnswIndex(items, efSearch: ef);
                var oursBuild = watch.Elapsed.TotalSeconds;
                watch.Restart();
                using var usearch = new USearchItemIndex(items, efSearch: ef);
                var usearchBuild = watch.Elapsed.TotalSeconds;
                var (oursRecall, oursMicros) = Measure(ours);
                var (usearchRecall, usearchMicros) = Measure(usearch);
                Output.Info($"efSearch {ef}: ours recall@10 {oursRecall:F4} {oursMicros:F0} us/query (build {oursBuild:F1} s); usearch recall@10 {usearchRecall:F4} {usearchMicros:F0} us/query (build {usearchBuild:F1} s)");
                rows.Add(new { ef_search = ef, ours = new { recall_at_10 = oursRecall, us_per_query = oursMicros, build_s = oursBuild }, usearch = new { recall_at_10 = usearchRecall, us_per_query = usearchMicros, build_s = usearchBuild } });
                if (ef == 64)
                {
                    (metrics["ours_recall@10"], metrics["ours_us_per_query"], metrics["ours_build_s"]) = (oursRecall, oursMicros, oursBuild);
                    (metrics["usearch_recall@10"], metrics["usearch_us_per_query"], metrics["usearch_build_s"]) = (usearchRecall, usearchMicros, usearchBuild);
                }
            }

            // Arrivals: the last share of ids held back, then added (in place, or by rebuilding ours).
            var share = r.GetValue(heldBack);
            var kept = items.Count - 1 - (int)Math.Round(share * (items.Count - 1));
            var before = new ItemVectors(items.Values[..((kept + 1) * items.Dim)], items.Dim);
            using var extended = new USearchItemIndex(before);
            var add = Stopwatch.StartNew();
            extended.Extend(items);
            var addSeconds = add.Elapsed.TotalSeconds;
            add.Restart();
            var rebuilt = new HnswIndex(items);
            var rebuildSeconds = add.Elapsed.TotalSeconds;
            var (extendedRecall, _) = Measure(extended);
            var (rebuiltRecall, _) = Measure(rebuilt);
            metrics["usearch_added_ms_per_item"] = addSeconds * 1000 / (items.Count - 1 - kept);
            metrics["usearch_recall@10_after_adds"] = extendedRecall;
            metrics["ours_rebuild_s"] = rebuildSeconds;
            Output.Info($"{items.Count - 1 - kept} items added: usearch in place {metrics["usearch_added_ms_per_item"]:F3} ms/item, recall@10 {extendedRecall:F4}; ours rebuilt in {rebuildSeconds:F1} s, recall@10 {rebuiltRecall:F4}");

            var report = BenchReport.Create(
                "ann",
                r.GetValue(name) ?? data.Name,
                $"HNSW (M 16, efConstruction 200) over {items.Count - 1} items' vectors of {engine.Source}: recall@10 against exact search for {queries.Length} users' query vectors with each history filtered, one thread, keys at efSearch 64; then {items.Count - 1 - kept} items ({share:P0}) held back, added in place (USearch) or by a rebuild (ours)",
                metrics,
                clock.Elapsed.TotalSeconds,
                new { checkpoint = engine.Source, held_back = share, ef_search = BeamWidths, m = 16, ef_construction = 200 },
                new { beams = rows, arrivals = new { added = items.Count - 1 - kept, usearch_add_s = addSeconds, usearch_recall_at_10 = extendedRecall, ours_rebuild_s = rebuildSeconds, ours_recall_at_10 = rebuiltRecall } });
            var path = report.Write(r.GetValue(output)!, null);
            Console.WriteLine(report.Summary() + $" -> {path}");
            return 0;
        });
        return command;
    }
}
