using GenRec.Cli.Commands;
using GenRec.Configuration;
using System.CommandLine;

namespace GenRec.Cli.Bench;

/// <summary>
/// <c>genrec bench load</c>: closed-loop HTTP load against a GenRec service that is already running (<c>genrec serve</c>,
/// or an application with <c>MapGenRec</c>, such as samples/WebSample): <c>POST {url}</c> with <c>{"user": u, "k": k}</c>,
/// u drawn from the given users; latency percentiles and requests/s as JSON. For comparing two hosts of one model.
/// </summary>
internal static class BenchLoadCommand
{
    public static Command Create(Option<string> output)
    {
        var url = new Option<string>("--url") { Description = "The recommend endpoint (e.g. http://127.0.0.1:5000/recs/recommend)", Required = true };
        var users = new Option<string>("--users") { Description = "User ids to ask for: comma-separated, or a range first:last of integers", Required = true };
        var k = new Option<int>("--k") { Description = "Items per answer", DefaultValueFactory = _ => 10 };
        var workers = new Option<int>("--workers") { Description = "Concurrent client workers", DefaultValueFactory = _ => 4 };
        var seconds = new Option<double>("--seconds") { Description = "Load duration", DefaultValueFactory = _ => 15 };
        var name = new Option<string>("--name") { Description = "Result file name: load-<name>.json", Required = true };
        var command = new Command("load", "Closed-loop /recommend load against a running service: latency and requests/s") { url, users, k, workers, seconds, name, output };
        command.SetAction(async (r, cancel) =>
        {
            var endpoint = new Uri(r.GetValue(url)!);
            var ids = ParseUsers(r.GetValue(users)!);
            var count = r.GetValue(k);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var load = await LoadGenerator.Run(new Uri(endpoint.GetLeftPart(UriPartial.Authority)), endpoint.AbsolutePath, r.GetValue(workers),
                TimeSpan.FromSeconds(r.GetValue(seconds)), rng => new { user = ids[rng.Next(ids.Length)], k = count }, cancel);
            var metrics = new SortedDictionary<string, double>
            {
                ["recommend_rps"] = load.RequestsPerSecond,
                ["recommend_p50_ms"] = load.P50Ms,
                ["recommend_p99_ms"] = load.P99Ms,
                ["errors"] = load.Errors,
            };
            var report = BenchReport.Create($"load-{r.GetValue(name)}", "service", $"closed-loop POST {endpoint} with {{user, k: {count}}} over {ids.Length} users, {load.Workers} workers, {load.Seconds:F0} s", metrics, clock.Elapsed.TotalSeconds,
                new ComputeConfig { Device = "cpu" }, new { load });
            System.Console.WriteLine(report.Summary() + $" -> {report.Write(r.GetValue(output)!)}");
            return load.Errors == 0 ? 0 : 1;
        });
        return command;
    }

    /// <summary>"1,5,9" or "1:610" (integers first to last).</summary>
    internal static string[] ParseUsers(string text)
    {
        var parts = text.Split(':');
        if (parts.Length == 2 && int.TryParse(parts[0], out var first) && int.TryParse(parts[1], out var last))
        {
            return last >= first ? [.. Enumerable.Range(first, last - first + 1).Select(u => u.ToString(System.Globalization.CultureInfo.InvariantCulture))]
                : throw new ArgumentException($"--users {text}: the range's last id is below its first");
        }

        var ids = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return ids.Length > 0 ? ids : throw new ArgumentException("--users: no user ids given");
    }
}
