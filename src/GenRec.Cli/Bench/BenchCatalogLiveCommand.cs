using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using GenRec.Checkpoints;
using GenRec.Configuration;
using GenRec.Cli.Commands;
using GenRec.Cli.Terminal;
using GenRec.Data;
using GenRec.Text;
using GenRec.Util;

namespace GenRec.Cli.Bench;

/// <summary>
/// <c>genrec bench catalog-live</c>: the open catalogue under load. A copy of a trained retrieval checkpoint is served by
/// <c>genrec serve</c> in its own process; while a paced <c>/recommend</c> load for known users runs over loopback, items
/// the model never saw (from the dataset's metadata file: items with text but not in the served dataset, such as those
/// that arrived after the checkpoint's <c>data.until</c>) are added one request at a time, interleaved with withdrawals
/// of the most popular trained items. For each added item the time from its <c>200</c> until a history of its nearest
/// trained items by text (the same encoder) gets it in the top k; every answer is checked for items withdrawn before its
/// request was sent. Then the server restarts on the same checkpoint and the same checks run again. Writes
/// <c>bench/results/serving/catalog-live-&lt;dataset&gt;.json</c>.
/// </summary>
internal static class BenchCatalogLiveCommand
{
    public static Command Create(Option<string> output)
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "Retrieval checkpoint to serve (copied; the original is not changed)", Required = true };
        var adds = new Option<int>("--adds") { Description = "Items added, one request each", DefaultValueFactory = _ => 100 };
        var withdrawals = new Option<int>("--withdrawals") { Description = "Items withdrawn (the most popular trained ones), one request each", DefaultValueFactory = _ => 100 };
        var rate = new Option<double>("--rate") { Description = "Requests per second of the /recommend load (paced)", DefaultValueFactory = _ => 300 };
        var workers = new Option<int>("--workers") { Description = "Concurrent client workers of the load", DefaultValueFactory = _ => 8 };
        var probeK = new Option<int>("--probe-k") { Description = "Top k of the probe that looks for an added item", DefaultValueFactory = _ => 50 };
        var neighbours = new Option<int>("--neighbours") { Description = "Trained items nearest by text in the probe's history", DefaultValueFactory = _ => 5 };
        var encoderName = new Option<string>("--encoder") { Description = "Sentence encoder of the items' text (the server's --catalog-encoder)", DefaultValueFactory = _ => "minilm" };
        var name = new Option<string?>("--name") { Description = "Dataset name in the result file name" };
        var newItemShare = new Option<double>("--new-item-share") { Description = "The server's --new-item-share: share of each answer kept for added items (0: none)" };
        var newItemOrder = new Option<string>("--new-item-order") { Description = "The server's --new-item-order: text or model", DefaultValueFactory = _ => "text" };
        var index = new Option<IndexKind>("--index") { Description = "The server's --index: exact, hnsw or usearch (extended in place)", DefaultValueFactory = _ => IndexKind.Exact };
        var runs = BenchCommand.RunsOption();
        var command = new Command("catalog-live", "Items added and withdrawn on a served model under /recommend load: errors, time to recommendable, withdrawn items never served, a restart serves the same catalogue")
        {
            checkpoint, adds, withdrawals, rate, workers, probeK, neighbours, encoderName, name, newItemShare, newItemOrder, index, runs, output,
        };
        command.SetAction(async (r, cancel) =>
        {
            var clock = Stopwatch.StartNew();
            var source = Path.GetFullPath(r.GetValue(checkpoint)!);
            var (addCount, withdrawCount, k) = (r.GetValue(adds), r.GetValue(withdrawals), r.GetValue(probeK));
            var header = Checkpoint.ReadHeader(source);
            var dataPath = Checkpoint.DataLocationOf(source);
            var data = DatasetLoader.Load((header.Data with { Path = dataPath }).ToRequest(DatasetRequest.DefaultCacheDir), _ => { });
            var datasetName = r.GetValue(name) ?? data.Name;

            // The served copy, with a fresh catalogue, in its own model root.
            var work = Path.Combine(r.GetValue(runs)!, $"catalog-live-{datasetName}");
            var root = Path.Combine(work, "model");
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }

            Directory.CreateDirectory(root);
            var served = Path.Combine(root, Path.GetFileName(source));
            File.Copy(source, served);

            // New items: text in the metadata, absent from the served dataset (seeded order); the withdrawn: the most popular.
            var metadataPath = DatasetLocator.Locate(dataPath, header.Data.Format, header.Data.Metadata).Metadata
                ?? throw new ArgumentException($"{dataPath}: no item metadata beside the data, so no new item has text");
            var fresh = DatasetLocator.LoadMetadata(metadataPath).Where(p => !data.ItemIds.ContainsKey(p.Key) && !string.IsNullOrWhiteSpace(p.Value.ToText()))
                .OrderBy(p => p.Key, StringComparer.Ordinal).ToArray();
            new Random(42).Shuffle(fresh);
            if (fresh.Length < addCount + 1)
            {
                throw new ArgumentException($"{metadataPath}: {fresh.Length} items with text outside the served dataset; {addCount + 1} needed (train with data.until to leave later items out)");
            }

            var popularity = Evaluation.LongTail.LongTailGroups.Popularity(data.Sequences, data.NumItems);

            string[] withdrawn = [.. Enumerable.Range(1, data.NumItems).OrderByDescending(i => popularity[i]).ThenBy(i => i).Take(withdrawCount).Select(i => data.ItemKeys[i])];

            // The trained items' text vectors (given to the server too) and each new item's nearest trained items by text.
            var encoder = TextEncoders.Create(r.GetValue(encoderName)!);
            var warm = ItemTextEmbeddings.Compute(data, encoder, Output.Info);
            var warmNpy = Path.Combine(work, "warm-text.npy");
            NpyFile.Write(warmNpy, warm.Values, data.NumItems + 1, warm.Dim);
            var adding = fresh.Take(addCount + 1).ToArray();
            var newText = encoder.Encode([.. adding.Select(p => p.Value.ToText())]);
            var histories = adding.Select((_, a) => Nearest(warm, data, newText.AsSpan(a * warm.Dim, warm.Dim), r.GetValue(neighbours))).ToArray();
            (encoder as IDisposable)?.Dispose();

            var token = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
            var port = GenRecChild.FreePort();
            var state = Path.Combine(work, "state.json");
            Process Start() => GenRecChild.StartServer(
                ["serve", "--checkpoint", served, "--port", port.ToString(CultureInfo.InvariantCulture), "--model-root", root, "--state-file", state, "--log-level", "Warning", "--catalog-text-embeddings", warmNpy, "--catalog-encoder", r.GetValue(encoderName)!,
                    "--new-item-share", r.GetValue(newItemShare).ToString(CultureInfo.InvariantCulture), "--index", r.GetValue(index).ToString().ToLowerInvariant(), "--new-item-order", r.GetValue(newItemOrder)!],
                new Dictionary<string, string?> { [ServeCommand.TokenVariable] = token },
                onError: line => Console.Error.WriteLine($"serve: {line}"));

            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = r.GetValue(workers) + 4, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
            using var client = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
            var withdrawnAt = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);  // item -> when its 200 came (Stopwatch ticks)
            var violations = new ConcurrentBag<string>();
            long answers = 0;

            // An answer whose request was sent after an item's withdrawal was answered must not hold that item.
            void Inspect(long sent, byte[] body)
            {
                Interlocked.Increment(ref answers);
                foreach (var item in ItemsOf(body))
                {
                    if (withdrawnAt.TryGetValue(item, out var at) && at < sent)
                    {
                        violations.Add(item);
                    }
                }
            }

            var users = data.UserKeys;
            object Request(Random rng) => new { user = users[rng.Next(users.Length)], k = 10 };

            // Seconds from now until the probe (a history of the item's nearest trained items) finds the item in its top k; NaN after 5 s.
            async Task<double> UntilRecommended(int a)
            {
                var watch = Stopwatch.StartNew();
                while (watch.Elapsed < TimeSpan.FromSeconds(5))
                {
                    var sent = Stopwatch.GetTimestamp();
                    var (status, body) = await LoadGenerator.Send(client, "/recommend", new { history = histories[a], k }, cancel);
                    Inspect(sent, body);
                    if (status == 200 && ItemsOf(body).Contains(adding[a].Key))
                    {
                        return watch.Elapsed.TotalSeconds;
                    }

                    await Task.Delay(20, cancel);
                }

                return double.NaN;
            }

            // Where an added item the probe never found stands for that history: its rank among the top 1,000 (0 from the top), or -1 below them.
            async Task<int> RankOf(int a)
            {
                var (_, body) = await LoadGenerator.Send(client, "/recommend", new { history = histories[a], k = 1_000 }, cancel);
                return RankedItems(body).IndexOf(adding[a].Key);
            }

            Task<(int Status, string Body, double Seconds)> Admin(string path, object body) => GenRecChild.PostAdmin(client, token, path, body, cancel);

            static object AddBody(KeyValuePair<string, ItemMetadata> item) =>
                new { items = new[] { new { id = item.Key, title = item.Value.Title, categories = item.Value.Categories, brand = item.Value.Brand, price = item.Value.Price } } };

            var server = Start();
            try
            {
                await GenRecChild.WaitReady(client, server, "genrec serve", cancel);

                // Warm-up, not counted: the server's encoder and mapping on a first item, then the load at its rate.
                var first = await Admin("/catalog/items", AddBody(adding[^1]));
                Output.Info($"warm-up add: {first.Status} in {first.Seconds:F2} s");
                await LoadGenerator.RunPaced(client, "/recommend", r.GetValue(workers), r.GetValue(rate), TimeSpan.FromSeconds(3), Request, null, cancel);

                var addSeconds = new List<double>();
                var withdrawSeconds = new List<double>();
                var untilRecommended = new List<double>();
                var missed = new List<object>();
                var failedChanges = new List<string>();
                var done = false;
                var load = LoadGenerator.RunPaced(client, "/recommend", r.GetValue(workers), r.GetValue(rate), TimeSpan.FromHours(1), Request, null, cancel, Inspect, () => Volatile.Read(ref done));
                var changes = Stopwatch.StartNew();
                for (var i = 0; i < Math.Max(addCount, withdrawCount); i++)
                {
                    if (i < addCount)
                    {
                        var (status, body, seconds) = await Admin("/catalog/items", AddBody(adding[i]));
                        addSeconds.Add(seconds);
                        if (status != 200)
                        {
                            failedChanges.Add($"add {adding[i].Key}: {status} {body}");
                        }

                        untilRecommended.Add(await UntilRecommended(i));
                        if (double.IsNaN(untilRecommended[^1]))
                        {
                            missed.Add(new { item = adding[i].Key, title = adding[i].Value.Title, history = histories[i], rank = await RankOf(i) });
                        }
                    }

                    if (i < withdrawCount)
                    {
                        var (status, body, seconds) = await Admin("/catalog/withdraw", new { items = new[] { withdrawn[i] } });
                        withdrawSeconds.Add(seconds);
                        if (status == 200)
                        {
                            withdrawnAt[withdrawn[i]] = Stopwatch.GetTimestamp();
                        }
                        else
                        {
                            failedChanges.Add($"withdraw {withdrawn[i]}: {status} {body}");
                        }
                    }

                    if ((i + 1) % 10 == 0)
                    {
                        Output.Info($"{i + 1} adds and withdrawals; {violations.Count} withdrawn items served");
                    }
                }

                var changeSeconds = changes.Elapsed.TotalSeconds;
                await Task.Delay(TimeSpan.FromSeconds(3), cancel);                                 // the load goes on a while after the last change
                Volatile.Write(ref done, true);
                var during = await load;

                // A restart on the same checkpoint: the catalogue file beside it is served again.
                await GenRecChild.Stop(server);
                server.Dispose();
                server = Start();
                await GenRecChild.WaitReady(client, server, "genrec serve (restarted)", cancel);
                var restartViolations = violations.Count;
                var afterRestart = await LoadGenerator.RunPaced(client, "/recommend", r.GetValue(workers), r.GetValue(rate), TimeSpan.FromSeconds(10), Request, null, cancel, Inspect);
                var recommendableAfterRestart = 0;
                for (var a = 0; a < addCount; a++)
                {
                    var sent = Stopwatch.GetTimestamp();
                    var (status, body) = await LoadGenerator.Send(client, "/recommend", new { history = histories[a], k }, cancel);
                    Inspect(sent, body);
                    recommendableAfterRestart += status == 200 && ItemsOf(body).Contains(adding[a].Key) ? 1 : 0;
                }

                restartViolations = violations.Count - restartViolations;
                var catalog = Catalog.ItemCatalog.Read(Catalog.ItemCatalog.PathOf(served));
                var found = untilRecommended.Where(s => !double.IsNaN(s)).ToArray();
                var metrics = new SortedDictionary<string, double>
                {
                    ["requests"] = during.Requests,
                    ["errors"] = during.Errors,
                    ["rps"] = during.RequestsPerSecond,
                    ["p50_ms"] = during.P50Ms,
                    ["p99_ms"] = during.P99Ms,
                    ["adds"] = addCount,
                    ["withdrawals"] = withdrawCount,
                    ["failed_changes"] = failedChanges.Count,
                    ["add_mean_s"] = addSeconds.Average(),
                    ["add_max_s"] = addSeconds.Max(),
                    ["withdraw_mean_s"] = withdrawSeconds.Count == 0 ? 0 : withdrawSeconds.Average(),
                    ["withdraw_max_s"] = withdrawSeconds.Count == 0 ? 0 : withdrawSeconds.Max(),
                    ["recommendable_within_1s"] = untilRecommended.Count(s => s <= 1),
                    ["recommendable_max_s"] = found.Length == 0 ? double.NaN : found.Max(),
                    ["withdrawn_served"] = violations.Count,
                    ["answers_checked"] = Interlocked.Read(ref answers),
                    ["restart_errors"] = afterRestart.Errors,
                    ["restart_recommendable"] = recommendableAfterRestart,
                    ["restart_withdrawn_served"] = restartViolations,
                    ["catalogue_items"] = catalog.Items.Count,
                    ["catalogue_withdrawn"] = catalog.Withdrawn.Count,
                };
                Output.Info($"{during.Requests:N0} requests at {during.RequestsPerSecond:F0}/s, {during.Errors} errors, p99 {during.P99Ms:F1} ms; {addCount} adds (mean {metrics["add_mean_s"]:F2} s), {withdrawCount} withdrawals; recommendable within 1 s: {metrics["recommendable_within_1s"]}/{addCount}; withdrawn items served: {violations.Count}; after restart: {recommendableAfterRestart}/{addCount} recommendable, {restartViolations} withdrawn served");
                foreach (var failure in failedChanges.Take(5))
                {
                    Console.Error.WriteLine(failure);
                }

                var report = BenchReport.Create(
                    "catalog-live",
                    datasetName,
                    $"genrec serve (own process, loopback, {r.GetValue(index).ToString().ToLowerInvariant()} index{(r.GetValue(newItemShare) > 0 ? $", new-item share {r.GetValue(newItemShare).ToString(CultureInfo.InvariantCulture)} by {r.GetValue(newItemOrder)}" : "")}) of {Path.GetFileName(source)}: paced /recommend load for random known users at {r.GetValue(rate)} req/s from {r.GetValue(workers)} workers while {addCount} new items (with text in {Path.GetFileName(metadataPath)}, absent from the served dataset) are added and the {withdrawCount} most popular trained items withdrawn, one request each, alternating, for {changeSeconds:F0} s; an added item is recommendable when a history of its {r.GetValue(neighbours)} nearest trained items by text ({r.GetValue(encoderName)}) gets it in the top {k}; every answer is checked for items withdrawn before its request was sent; then a restart on the same checkpoint, 10 s of load and every added item probed again",
                    metrics,
                    clock.Elapsed.TotalSeconds,
                    new { checkpoint = source, index = r.GetValue(index).ToString().ToLowerInvariant(), new_item_share = r.GetValue(newItemShare), new_item_order = r.GetValue(newItemOrder), adds = addCount, withdrawals = withdrawCount, rate = r.GetValue(rate), workers = r.GetValue(workers), probe_k = k, neighbours = r.GetValue(neighbours), encoder = r.GetValue(encoderName) },
                    new { during, after_restart = afterRestart, until_recommended_s = untilRecommended, add_s = addSeconds, withdraw_s = withdrawSeconds, failed_changes = failedChanges, not_recommended = missed, withdrawn_served = violations.Distinct().ToArray() });
                var path = report.Write(r.GetValue(output)!, null);
                Console.WriteLine(report.Summary() + $" -> {path}");
                var clean = during.Errors == 0 && failedChanges.Count == 0 && violations.IsEmpty && afterRestart.Errors == 0 && recommendableAfterRestart == addCount && untilRecommended.All(s => s <= 1);
                return clean ? 0 : 1;
            }
            finally
            {
                await GenRecChild.Stop(server);
                server.Dispose();
            }
        });
        return command;
    }

    // The keys of the items in a /recommend answer.
    private static HashSet<string> ItemsOf(byte[] body) => [.. RankedItems(body)];

    // The keys of the items in a /recommend answer, best first (none for an error body).
    private static List<string> RankedItems(byte[] body)
    {
        var items = new List<string>();
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("items", out var list))
            {
                foreach (var entry in list.EnumerateArray())
                {
                    items.Add(entry.GetProperty("item").GetString()!);
                }
            }
        }
        catch (JsonException)
        {
            // Not an answer with items (an error body): nothing to check.
        }

        return items;
    }

    // The keys of the trained items nearest (cosine) to a text vector, least similar first, so the nearest is the last one read.
    private static string[] Nearest((float[] Values, int Dim) warm, SequenceDataset data, ReadOnlySpan<float> query, int count)
    {
        var scores = new List<(int Item, float Cosine)>(data.NumItems);
        var queryNorm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot(query, query));
        for (var i = 1; i <= data.NumItems; i++)
        {
            var row = warm.Values.AsSpan(i * warm.Dim, warm.Dim);
            var norm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot(row, row)) * queryNorm;
            scores.Add((i, norm == 0 ? 0 : System.Numerics.Tensors.TensorPrimitives.Dot(row, query) / norm));
        }

        return [.. scores.OrderByDescending(s => s.Cosine).ThenBy(s => s.Item).Take(count).Reverse().Select(s => data.ItemKeys[s.Item])];
    }
}
