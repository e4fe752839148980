using System.Diagnostics;
using System.Runtime.InteropServices;

namespace GenRec.Util;

/// <summary>
/// Hands memory that libtorch freed back to the OS when the process has grown (see <see cref="HeapReleasePolicy"/>),
/// instead of on every free. The allocator is kept from returning freed pages by itself (jemalloc's decay off when the
/// process relaunches under it, <see cref="JemallocRelaunch"/>; glibc's trim and mmap off, <see cref="Compute.GlibcMallocTuning"/>),
/// because re-faulting them each step cost more kernel time than the step's compute
/// (jemalloc's default decay: 45% of a TIGER step in the kernel). Never returning them, the heap grew
/// with every new tensor shape (18 GB within 20 minutes, until the OOM killer stopped the run). So
/// the loops release them once the resident size has grown by half over the working set measured in the minute after
/// the previous release (<see cref="HeapReleasePolicy"/>): jemalloc's
/// <c>arena.&lt;all&gt;.purge</c> when jemalloc is this process's allocator, glibc's <c>malloc_trim(0)</c> otherwise.
/// </summary>
internal static class NativeHeap
{
    /// <summary>How often a service looks at its heap (<c>NativeMemoryRelease</c>; it releases by the growth policy): 10 s, or GENREC_HEAP_RELEASE_SECONDS.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(PositiveSetting("GENREC_HEAP_RELEASE_SECONDS") ?? 10);

    /// <summary>Resident growth over the working set that makes the loops release: 1.5, or GENREC_HEAP_GROWTH (above 1).</summary>
    public static readonly double GrowthFactor = PositiveSetting("GENREC_HEAP_GROWTH") is > 1 and var factor ? factor : 1.5;

    private const string AllArenasPurge = "arena.4096.purge"; // MALLCTL_ARENAS_ALL = 4096
    private static readonly Stopwatch Clock = Stopwatch.StartNew();
    private static readonly HeapReleasePolicy Policy = new(GrowthFactor, TimeSpan.FromMinutes(1));
    private static TimeSpan lastTimedRelease = TimeSpan.Zero;

    /// <summary>
    /// Called by the loops after each step or batch: releases freed native memory when the resident size has grown
    /// by <see cref="GrowthFactor"/> over the largest size of the minute after the previous release. Where the resident
    /// size cannot be read, releases every <see cref="Interval"/>.
    /// </summary>
    public static void ReleasePeriodically()
    {
        lock (Policy)
        {
            var now = Clock.Elapsed;
            var release = ResidentBytes() is { } resident
                ? Policy.ShouldRelease(resident, now)
                : now - lastTimedRelease >= Interval;                        // unknown size: every Interval
            if (release)
            {
                Release();
                lastTimedRelease = now;
            }
        }
    }

    /// <summary>This process's resident set in bytes (/proc/self/statm), or null where it cannot be read.</summary>
    internal static long? ResidentBytes()
    {
        try
        {
            var fields = File.ReadAllText("/proc/self/statm").Split(' ');
            return long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private static double? PositiveSetting(string name) =>
        double.TryParse(Environment.GetEnvironmentVariable(name), System.Globalization.CultureInfo.InvariantCulture, out var value) && value > 0 ? value : null;

    /// <summary>Releases freed native memory to the OS now; returns whether an allocator took the request.</summary>
    public static bool Release()
    {
        try
        {
            return Compute.NativeAllocator.Current() switch
            {
                Compute.NativeAllocator.Kind.Jemalloc => Mallctl(AllArenasPurge, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, UIntPtr.Zero) == 0,
                Compute.NativeAllocator.Kind.Glibc => MallocTrim(UIntPtr.Zero) >= 0,
                _ => false,
            };
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libjemalloc.so.2", EntryPoint = "mallctl")]
    private static extern int Mallctl([MarshalAs(UnmanagedType.LPStr)] string name, IntPtr oldValue, IntPtr oldLength, IntPtr newValue, UIntPtr newLength);

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(UIntPtr pad);
}
