namespace GenRec.Util;

/// <summary>
/// When the training and evaluation loops hand freed native memory back to the OS: for <see cref="Settle"/> after
/// each release (and after the first step) the loop's working set is faulted in again and the largest resident size
/// of its steps is kept; after that, memory is released once the resident size exceeds
/// <see cref="GrowthFactor"/> times that largest size, i.e. once the heap has grown past the working set.
/// <para>A release on a clock alone re-faults the whole working set after every release: on the 2-core VM that cost
/// a TIGER step two thirds of its time (37-51 examples/s with a release every 10 s against 106-152 without any).
/// Measuring the working set from one step was not enough either, because batches of short and long histories
/// differ several-fold in size (41-79 examples/s). Never releasing lets fragmentation grow the heap without bound
/// (18 GB within 20 minutes of one run).</para>
/// </summary>
internal sealed class HeapReleasePolicy(double growthFactor, TimeSpan settle)
{
    private TimeSpan releasedAt = TimeSpan.Zero;
    private long workingSet;

    public double GrowthFactor { get; } = growthFactor > 1 ? growthFactor : throw new ArgumentOutOfRangeException(nameof(growthFactor), growthFactor, "the growth factor must be above 1");

    /// <summary>How long after a release (or the start) the working set is measured; no release within it.</summary>
    public TimeSpan Settle { get; } = settle;

    /// <summary>
    /// Called after each step with the resident size and the time since start; true when memory should be released now
    /// (the caller releases it).
    /// </summary>
    public bool ShouldRelease(long residentBytes, TimeSpan now)
    {
        if (now - releasedAt < Settle)
        {
            workingSet = Math.Max(workingSet, residentBytes);
            return false;
        }

        if (residentBytes <= GrowthFactor * workingSet)
        {
            return false;
        }

        releasedAt = now;
        workingSet = 0;
        return true;
    }
}
