using GenRec.Util;

namespace GenRec.Tests.Training;

/// <summary>Freed native memory goes back to the OS when the process has grown, not on a clock.</summary>
public class HeapReleasePolicyTests
{
    private static TimeSpan Seconds(double s) => TimeSpan.FromSeconds(s);

    [Fact]
    public void MeasuresTheWorkingSetWhileSettlingThenReleasesOnlyPastTheGrowthFactor()
    {
        var policy = new HeapReleasePolicy(1.5, Seconds(60));
        const long gb = 1L << 30;
        Assert.False(policy.ShouldRelease(2 * gb, Seconds(1)));      // settling: a short-history batch (2 GB)
        Assert.False(policy.ShouldRelease(4 * gb, Seconds(30)));     // settling: a long-history batch sets the working set (4 GB)
        Assert.False(policy.ShouldRelease(9 * gb, Seconds(59)));     // still settling: never a release within the minute
        Assert.False(policy.ShouldRelease(6 * gb, Seconds(70)));     // 1.5 x 9 GB: the largest size while settling counts
        Assert.True(policy.ShouldRelease(14 * gb, Seconds(80)));     // past 1.5 x 9 GB: release
        Assert.False(policy.ShouldRelease(3 * gb, Seconds(81)));     // settling again after the release
        Assert.False(policy.ShouldRelease(5 * gb, Seconds(139)));    // working set 5 GB
        Assert.False(policy.ShouldRelease(7 * gb, Seconds(150)));    // 1.4x: kept
        Assert.True(policy.ShouldRelease(8 * gb, Seconds(160)));     // 1.6x: released
    }

    [Fact]
    public void AStepRateFasterThanTheSettleNeverReleasesWithoutGrowth()
    {
        // The old clock-driven release purged every 10 s whatever happened; a steady working set, whose batches
        // alternate between small and large, must not be released at all.
        var policy = new HeapReleasePolicy(1.5, Seconds(60));
        var releases = 0;
        for (var step = 0; step < 10_000; step++)
        {
            releases += policy.ShouldRelease((step % 3 == 0 ? 8L : 2L) << 30, Seconds(step * 2.5)) ? 1 : 0;
        }

        Assert.Equal(0, releases);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    public void AFactorThatIsNotGrowthIsRefused(double factor) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new HeapReleasePolicy(factor, Seconds(60)));

    [Fact]
    public void TheResidentSizeIsReadOnLinux()
    {
        var resident = NativeHeap.ResidentBytes();
        Assert.Equal(OperatingSystem.IsLinux(), resident is not null);
        if (resident is { } bytes)
        {
            Assert.True(bytes > 1 << 20, $"resident {bytes} bytes");
        }
    }
}
