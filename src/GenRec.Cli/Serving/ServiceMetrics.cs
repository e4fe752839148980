using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace GenRec.Cli.Serving;

/// <summary>
/// Request counts by endpoint and status and a latency histogram per endpoint, exposed at
/// <c>GET /metrics</c> in the Prometheus text format. Lock-free counters.
/// </summary>
internal sealed class ServiceMetrics
{
    /// <summary>Upper bounds of the latency buckets, in seconds (+Inf is implied).</summary>
    public static readonly double[] BucketBounds = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];

    private readonly ConcurrentDictionary<(string Endpoint, int Status), long[]> counts = new();
    private readonly ConcurrentDictionary<string, Histogram> latencies = new();

    public void Record(string endpoint, int status, TimeSpan elapsed)
    {
        Interlocked.Increment(ref counts.GetOrAdd((endpoint, status), _ => new long[1])[0]);
        latencies.GetOrAdd(endpoint, _ => new Histogram()).Observe(elapsed.TotalSeconds);
    }

    public long Count(string endpoint, int status) => counts.TryGetValue((endpoint, status), out var c) ? Interlocked.Read(ref c[0]) : 0;

    public string ToPrometheus()
    {
        var text = new StringBuilder();
        text.AppendLine("# HELP genrec_requests_total HTTP requests by endpoint and status.");
        text.AppendLine("# TYPE genrec_requests_total counter");
        foreach (var ((endpoint, status), count) in counts.OrderBy(p => p.Key.Endpoint).ThenBy(p => p.Key.Status))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"genrec_requests_total{{endpoint=\"{endpoint}\",status=\"{status}\"}} {Interlocked.Read(ref count[0])}");
        }

        text.AppendLine("# HELP genrec_request_seconds Request latency by endpoint.");
        text.AppendLine("# TYPE genrec_request_seconds histogram");
        foreach (var (endpoint, histogram) in latencies.OrderBy(p => p.Key))
        {
            histogram.Write(text, endpoint);
        }

        return text.ToString();
    }

    private sealed class Histogram
    {
        private readonly long[] buckets = new long[BucketBounds.Length + 1];
        private long count;
        private long sumMicroseconds;

        public void Observe(double seconds)
        {
            var bucket = Array.FindIndex(BucketBounds, b => seconds <= b);
            Interlocked.Increment(ref buckets[bucket < 0 ? BucketBounds.Length : bucket]);
            Interlocked.Increment(ref count);
            Interlocked.Add(ref sumMicroseconds, (long)(seconds * 1e6));
        }

        public void Write(StringBuilder text, string endpoint)
        {
            long cumulative = 0;
            for (var i = 0; i <= BucketBounds.Length; i++)
            {
                cumulative += Interlocked.Read(ref buckets[i]);
                var bound = i < BucketBounds.Length ? BucketBounds[i].ToString(CultureInfo.InvariantCulture) : "+Inf";
                text.AppendLine(CultureInfo.InvariantCulture, $"genrec_request_seconds_bucket{{endpoint=\"{endpoint}\",le=\"{bound}\"}} {cumulative}");
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"genrec_request_seconds_sum{{endpoint=\"{endpoint}\"}} {Interlocked.Read(ref sumMicroseconds) / 1e6}");
            text.AppendLine(CultureInfo.InvariantCulture, $"genrec_request_seconds_count{{endpoint=\"{endpoint}\"}} {Interlocked.Read(ref count)}");
        }
    }
}
