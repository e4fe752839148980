using System.Diagnostics;

namespace GenRec.AspNetCore;

/// <summary>
/// Outcomes of the model endpoints over the last <see cref="Window"/> (one bucket per second): the service
/// is degraded when at least <see cref="MinFailures"/> of them failed with a 5xx and they are at least
/// <see cref="MaxFailureShare"/> of all. Liveness stays up; readiness goes down while degraded.
/// </summary>
internal sealed class HealthTracker
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(60);
    public const int MinFailures = 5;
    public const double MaxFailureShare = 0.05;

    private readonly (long Second, int Total, int Failed)[] buckets = new (long, int, int)[(int)Window.TotalSeconds];
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly Lock gate = new();

    public void Record(bool failed)
    {
        var second = (long)clock.Elapsed.TotalSeconds;
        lock (gate)
        {
            ref var bucket = ref buckets[second % buckets.Length];
            if (bucket.Second != second)
            {
                bucket = (second, 0, 0);
            }

            bucket.Total++;
            bucket.Failed += failed ? 1 : 0;
        }
    }

    /// <summary>Requests and 5xx failures within the window.</summary>
    public (int Total, int Failed) Recent()
    {
        var now = (long)clock.Elapsed.TotalSeconds;
        lock (gate)
        {
            var live = buckets.Where(b => now - b.Second < buckets.Length && b.Total > 0).ToArray();
            return (live.Sum(b => b.Total), live.Sum(b => b.Failed));
        }
    }

    public bool Degraded
    {
        get
        {
            var (total, failed) = Recent();
            return failed >= MinFailures && failed >= MaxFailureShare * total;
        }
    }
}
