namespace GenRec.AspNetCore;

/// <summary>
/// The ranker's time per candidate, as an exponentially weighted mean of the last rankings (weight 0.2 on the newest),
/// for deciding before ranking whether it fits a request's deadline. Zero until the first ranking is seen.
/// </summary>
internal sealed class RankingCost
{
    private const double NewestWeight = 0.2;
    private readonly Lock gate = new();
    private double secondsPerCandidate;
    private bool seen;

    public void Observe(int candidates, TimeSpan elapsed)
    {
        if (candidates <= 0)
        {
            return;
        }

        var rate = elapsed.TotalSeconds / candidates;
        lock (gate)
        {
            secondsPerCandidate = seen ? ((1 - NewestWeight) * secondsPerCandidate) + (NewestWeight * rate) : rate;
            seen = true;
        }
    }

    /// <summary>The expected time to rank <paramref name="candidates"/> candidates.</summary>
    public TimeSpan Estimate(int candidates)
    {
        lock (gate)
        {
            return TimeSpan.FromSeconds(secondsPerCandidate * candidates);
        }
    }
}
