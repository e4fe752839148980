using System.Diagnostics;
using System.Net.Http.Json;
using GenRec.Cli.Commands;
using GenRec.AspNetCore;

namespace GenRec.Cli.Bench;

/// <summary>Latency and throughput of one endpoint under closed-loop load.</summary>
internal sealed record LoadResult(string Endpoint, int Workers, double Seconds, long Requests, long Errors, double RequestsPerSecond, double P50Ms, double P90Ms, double P99Ms, double MaxMs);

/// <summary>
/// A bounded load generator: <c>workers</c> concurrent clients, each sending its next request as
/// soon as the previous one is answered (closed loop), for a fixed duration; every latency is kept
/// and the percentiles are exact. Each worker draws its requests from its own seeded generator.
/// </summary>
internal static class LoadGenerator
{
    public static async Task<LoadResult> Run(Uri address, string path, int workers, TimeSpan duration, Func<Random, object> makeRequest, CancellationToken cancel)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = workers, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        using var client = new HttpClient(handler) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };

        // Warm-up: one request per worker, not counted.
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => client.PostAsJsonAsync(path, makeRequest(new Random(-1 - w)), RecommendationService.Json, cancel)));
        return await Drive(path, workers, async (w, clock) =>
        {
            var rng = new Random(w);
            var latencies = new List<double>();
            long errors = 0;
            while (clock.Elapsed < duration && !cancel.IsCancellationRequested)
            {
                var body = makeRequest(rng);
                var started = Stopwatch.GetTimestamp();
                var status = await Post(client, path, body, cancel);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                errors += status is >= 200 and < 300 ? 0 : 1;
            }

            return (latencies, errors);
        }, cancel);
    }

    /// <summary>
    /// Open-loop load at a fixed rate: request i of the whole run is due at i / rate seconds, worker
    /// w sends the requests i = w, w + workers, ... and each latency runs from when the request was due,
    /// not from when it was sent, so a server that falls behind is charged for the queue it causes
    /// (no coordinated omission). <paramref name="observe"/> sees every (latency ms, status); <paramref name="inspect"/>
    /// every answer (when its request was sent, as <see cref="Stopwatch.GetTimestamp"/>, and its body); sending ends at
    /// <paramref name="duration"/> or once <paramref name="stopWhen"/> says so.
    /// </summary>
    public static async Task<LoadResult> RunPaced(HttpClient client, string path, int workers, double rate, TimeSpan duration, Func<Random, object> makeRequest, Action<double, int>? observe, CancellationToken cancel, Action<long, byte[]>? inspect = null, Func<bool>? stopWhen = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        return await Drive(path, workers, async (w, clock) =>
        {
            var rng = new Random(w);
            var latencies = new List<double>();
            long errors = 0;
            for (long i = w; !cancel.IsCancellationRequested; i += workers)
            {
                var due = TimeSpan.FromSeconds(i / rate);
                if (due >= duration || stopWhen?.Invoke() == true)
                {
                    break;
                }

                var early = due - clock.Elapsed;
                if (early > TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(early, cancel);
                }

                var sent = Stopwatch.GetTimestamp();
                var (status, body) = await Send(client, path, makeRequest(rng), cancel);
                inspect?.Invoke(sent, body);
                var latency = (clock.Elapsed - due).TotalMilliseconds;
                latencies.Add(latency);
                observe?.Invoke(latency, status);
                errors += status is >= 200 and < 300 ? 0 : 1;
            }

            return (latencies, errors);
        }, cancel);
    }

    /// <summary>One request, its answer read whole: the status.</summary>
    private static async Task<int> Post(HttpClient client, string path, object body, CancellationToken cancel) => (await Send(client, path, body, cancel)).Status;

    /// <summary>One request: the status and the answer's body.</summary>
    public static async Task<(int Status, byte[] Body)> Send(HttpClient client, string path, object body, CancellationToken cancel)
    {
        using var response = await client.PostAsJsonAsync(path, body, RecommendationService.Json, cancel);
        return ((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync(cancel));
    }

    /// <summary>Runs the workers on one clock and summarises every latency (exact percentiles).</summary>
    private static async Task<LoadResult> Drive(string path, int workers, Func<int, Stopwatch, Task<(List<double> Latencies, long Errors)>> worker, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(() => worker(w, clock), cancel)));
        var seconds = clock.Elapsed.TotalSeconds;
        var all = results.SelectMany(r => r.Latencies).Order().ToArray();
        double Percentile(double p) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)Math.Ceiling(p * all.Length) - 1)];
        return new LoadResult(path, workers, seconds, all.Length, results.Sum(r => r.Errors), all.Length / seconds, Percentile(0.5), Percentile(0.9), Percentile(0.99), all.Length == 0 ? double.NaN : all[^1]);
    }
}
