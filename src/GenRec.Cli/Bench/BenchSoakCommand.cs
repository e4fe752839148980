using GenRec.Cli.Commands;
using GenRec.Checkpoints;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using GenRec.AspNetCore;
using GenRec.Cli.Terminal;
using GenRec.Data;
using GenRec.Serving;
using GenRec.Training;

namespace GenRec.Cli.Bench;

/// <summary>
/// <c>genrec bench soak</c>: runs <c>genrec serve</c> as its own process (the allocator settings of the
/// launcher, as deployed) and loads it from this one over loopback: first closed-loop saturation (the
/// most requests/s), then a paced soak (a fixed request rate from N workers, latency from when each
/// request was due) of <c>/recommend</c> top-10 for known users, with a validated hot reload every few
/// seconds alternating two checkpoints. Records requests, errors, p50/p99, the server's resident memory
/// over time (start, middle, end), both processes' CPU time (the load generator's share of the machine),
/// and the mean dynamic batch. Writes <c>bench/results/serving-soak-&lt;dataset&gt;.json</c>.
/// </summary>
internal static class BenchSoakCommand
{
    public static Command Create(Option<string> output)
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "Retrieval checkpoint to serve (a TIGER run's best.ckpt: served by beam search)", Required = true };
        var other = new Option<string?>("--reload-checkpoint") { Description = "Second checkpoint (same dataset, same model root) that reloads alternate with (default: the first again)" };
        var workers = new Option<int>("--workers") { Description = "Concurrent client workers", DefaultValueFactory = _ => 8 };
        var seconds = new Option<double>("--seconds") { Description = "Soak duration", DefaultValueFactory = _ => 300 };
        var rate = new Option<double>("--rate") { Description = "Requests per second the soak sends (paced)", DefaultValueFactory = _ => 1_000 };
        var saturation = new Option<double>("--saturation-seconds") { Description = "Closed-loop phase before the soak (0: none)", DefaultValueFactory = _ => 20 };
        var reloadEvery = new Option<double>("--reload-every") { Description = "Seconds between hot reloads during the soak (0: none)", DefaultValueFactory = _ => 5 };
        var name = new Option<string?>("--name") { Description = "Dataset name in the result file name" };
        var requests = new Option<string>("--requests") { Description = "What the load asks: user (known users: their kept states) or history (a random user's recent items, up to 200, as an ad-hoc history: a forward pass each)", DefaultValueFactory = _ => "user" };
        var serveArgs = new Option<string?>("--serve-args") { Description = "Extra arguments for genrec serve (e.g. \"--max-batch 32\")" };
        var tag = new Option<string?>("--tag") { Description = "Suffix of the result file name (e.g. batch32)" };
        var command = new Command("soak", "Sustained paced load on genrec serve with hot reloads: latency, errors, memory over time") { checkpoint, other, workers, seconds, rate, saturation, reloadEvery, name, requests, serveArgs, tag, output };
        command.SetAction(async (r, cancel) =>
        {
            var clock = Stopwatch.StartNew();
            var first = Path.GetFullPath(r.GetValue(checkpoint)!);
            var second = Path.GetFullPath(r.GetValue(other) ?? first);
            var root = Path.GetDirectoryName(Path.GetDirectoryName(first))!;
            var (users, histories) = Users(first);
            var kind = r.GetValue(requests)!;
            if (kind is not ("user" or "history"))
            {
                throw new ArgumentException($"--requests: '{kind}' (user or history)");
            }

            var token = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
            var port = GenRecChild.FreePort();
            var state = Path.Combine(Path.GetTempPath(), $"genrec-soak-{Environment.ProcessId}.json");
            using var server = StartServer(first, root, port, token, state, r.GetValue(serveArgs));
            try
            {
                using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = r.GetValue(workers) + 2, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
                using var client = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
                await GenRecChild.WaitReady(client, server, "genrec serve", cancel);
                object Request(Random rng)
                {
                    var u = rng.Next(users.Length);
                    if (kind == "user")
                    {
                        return new { user = users[u], k = 10 };
                    }

                    var end = 1 + rng.Next(histories[u].Length);
                    return new { history = histories[u][Math.Max(0, end - 200)..end], k = 10 };
                }

                var n = r.GetValue(workers);
                LoadResult? saturated = null;
                if (r.GetValue(saturation) > 0)
                {
                    saturated = await LoadGenerator.Run(client.BaseAddress!, "/recommend", n, TimeSpan.FromSeconds(r.GetValue(saturation)), Request, cancel);
                    Output.Info($"saturation: {saturated.RequestsPerSecond:F0} req/s, p50 {saturated.P50Ms:F2} ms, p99 {saturated.P99Ms:F2} ms ({n} workers, closed loop)");
                }

                await LoadGenerator.RunPaced(client, "/recommend", n, r.GetValue(rate), TimeSpan.FromSeconds(3), Request, null, cancel); // warm-up at the soak's rate
                var duration = TimeSpan.FromSeconds(r.GetValue(seconds));
                var memory = new List<(double Seconds, double Mb)>();
                var serverCpu = server.TotalProcessorTime;
                var ownCpu = Process.GetCurrentProcess().TotalProcessorTime;
                var soakClock = Stopwatch.StartNew();
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                var sampler = Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        memory.Add((soakClock.Elapsed.TotalSeconds, ResidentMb(server.Id)));
                        await Task.Delay(TimeSpan.FromSeconds(2), stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                    }
                });
                var reloads = Task.Run(() => Reloads(client, token, [second, first], r.GetValue(reloadEvery), stop.Token));
                long late = 0;
                var soak = await LoadGenerator.RunPaced(client, "/recommend", n, r.GetValue(rate), duration, Request, (ms, _) =>
                {
                    if (ms > 10)
                    {
                        Interlocked.Increment(ref late);
                    }
                }, cancel);
                var soakSeconds = soakClock.Elapsed.TotalSeconds;
                server.Refresh();
                var serverSeconds = (server.TotalProcessorTime - serverCpu).TotalSeconds;
                var ownSeconds = (Process.GetCurrentProcess().TotalProcessorTime - ownCpu).TotalSeconds;
                memory.Add((soakSeconds, ResidentMb(server.Id)));
                await stop.CancelAsync();
                await sampler;
                var (reloaded, reloadFailures, reloadSeconds) = await reloads;
                var metricsText = await client.GetStringAsync("/metrics", cancel);

                // Resident memory around a point of the soak: the median of the samples within 5% of the duration of it
                // (reloads come and go every few seconds, and a single sample falls anywhere in one).
                double RssAt(double fraction)
                {
                    var near = memory.Where(m => Math.Abs(m.Seconds - (fraction * soakSeconds)) <= 0.05 * soakSeconds).Select(m => m.Mb).Order().ToArray();
                    return near.Length == 0 ? memory.MinBy(m => Math.Abs(m.Seconds - (fraction * soakSeconds))).Mb : near[near.Length / 2];
                }

                var metrics = new SortedDictionary<string, double>
                {
                    ["requests"] = soak.Requests,
                    ["errors"] = soak.Errors,
                    ["rps"] = soak.RequestsPerSecond,
                    ["p50_ms"] = soak.P50Ms,
                    ["p99_ms"] = soak.P99Ms,
                    ["max_ms"] = soak.MaxMs,
                    ["share_over_10ms"] = soak.Requests == 0 ? 0 : (double)late / soak.Requests,
                    ["rss_start_mb"] = RssAt(0),
                    ["rss_middle_mb"] = RssAt(0.5),
                    ["rss_end_mb"] = RssAt(1),
                    ["rss_end_over_middle"] = RssAt(1) / RssAt(0.5),
                    ["rss_max_mb"] = memory.Max(m => m.Mb),
                    ["reloads"] = reloaded,
                    ["reload_failures"] = reloadFailures,
                    ["reload_mean_s"] = reloadSeconds.Length == 0 ? 0 : reloadSeconds.Average(),
                    ["reload_max_s"] = reloadSeconds.Length == 0 ? 0 : reloadSeconds.Max(),
                    ["server_cpu_share"] = serverSeconds / (soakSeconds * Environment.ProcessorCount),
                    ["loadgen_cpu_share"] = ownSeconds / (soakSeconds * Environment.ProcessorCount),
                    ["mean_batch_size"] = Scrape(metricsText, "genrec_batch_size_sum") / Math.Max(1, Scrape(metricsText, "genrec_batch_size_count")),
                };
                if (saturated is not null)
                {
                    metrics["saturation_rps"] = saturated.RequestsPerSecond;
                    metrics["saturation_p50_ms"] = saturated.P50Ms;
                    metrics["saturation_p99_ms"] = saturated.P99Ms;
                }

                var report = BenchReport.Create(
                    kind == "user" ? "serving-soak" : "serving-soak-histories",
                    r.GetValue(name) ?? Path.GetFileName(root),
                    $"genrec serve in its own process on loopback; /recommend top-10 for random {(kind == "user" ? "known users" : "ad-hoc histories (a random user's items up to a random point, at most 200)")}; {(saturated is null ? "" : $"closed loop {r.GetValue(saturation)} s with {n} workers, then ")}paced {r.GetValue(rate)} req/s from {n} workers for {duration.TotalSeconds} s (latency from each request's due time), a validated hot reload {r.GetValue(reloadEvery)} s after the previous one answered; CPU shares are of all {Environment.ProcessorCount} cores, load generator included",
                    metrics,
                    clock.Elapsed.TotalSeconds,
                    new { checkpoint = first, reload_checkpoint = second, requests = kind, workers = n, rate = r.GetValue(rate), seconds = duration.TotalSeconds, reload_every = r.GetValue(reloadEvery), serve_args = r.GetValue(serveArgs) },
                    new { saturation = saturated, soak, memory = memory.Select(m => new { seconds = m.Seconds, rss_mb = m.Mb }) });
                var path = report.Write(r.GetValue(output)!, r.GetValue(tag));
                Console.WriteLine($"soak: {soak.Requests:N0} requests, {soak.Errors} errors, {soak.RequestsPerSecond:F0} req/s, p50 {soak.P50Ms:F2} ms, p99 {soak.P99Ms:F2} ms; resident {RssAt(0):F0} -> {RssAt(0.5):F0} -> {RssAt(1):F0} MB; {reloaded} reloads ({reloadFailures} failed); load generator {metrics["loadgen_cpu_share"]:P0} of the CPU -> {path}");
                return soak.Errors == 0 && reloadFailures == 0 ? 0 : 1;
            }
            finally
            {
                await GenRecChild.Stop(server);
                File.Delete(state);
            }
        });
        return command;
    }

    private static (string[] Users, string[][] Histories) Users(string checkpoint)
    {
        var dataset = DatasetLoader.Load(Checkpoint.DataOf(checkpoint).ToRequest(DatasetRequest.DefaultCacheDir), _ => { });
        return (dataset.UserKeys, [.. dataset.Sequences.Select(s => s.Select(i => dataset.ItemKeys[i]).ToArray())]);
    }

    private static Process StartServer(string checkpoint, string root, int port, string token, string state, string? extra) =>
        GenRecChild.StartServer(
            ["serve", "--checkpoint", checkpoint, "--port", port.ToString(CultureInfo.InvariantCulture), "--model-root", root, "--state-file", state, "--log-level", "Warning",
             .. (extra ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)],
            new Dictionary<string, string?> { [ServeCommand.TokenVariable] = token },
            onError: line => Console.Error.WriteLine($"serve: {line}"));

    private static async Task<(int Reloads, int Failures, double[] Seconds)> Reloads(HttpClient client, string token, string[] checkpoints, double every, CancellationToken stop)
    {
        var (done, failed) = (0, 0);
        var seconds = new List<double>();
        if (every <= 0)
        {
            return (0, 0, []);
        }

        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(every), stop);
                var (status, body, took) = await GenRecChild.PostAdmin(client, token, "/reload", new { checkpoint = checkpoints[done % checkpoints.Length] }, stop);
                seconds.Add(took);
                done++;
                if (status is < 200 or >= 300)
                {
                    failed++;
                    Console.Error.WriteLine($"reload {done}: {status} {body}");
                }
            }
        }
        catch (OperationCanceledException)
        {
            return (done, failed, [.. seconds]);
        }
    }

    /// <summary>Resident memory of a process in MB (VmRSS in /proc/&lt;pid&gt;/status).</summary>
    internal static double ResidentMb(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? double.NaN : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    /// <summary>A sample's value from Prometheus text (first line starting with the name).</summary>
    private static double Scrape(string text, string name) =>
        text.Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal)) is { } line
            ? double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture)
            : 0;
}
