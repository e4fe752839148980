using System.Diagnostics;
using System.Runtime.InteropServices;

namespace GenRec.Util;

/// <summary>
/// Hands memory that libtorch freed back to the OS every <see cref="Interval"/> of training, instead of
/// on every free. The launchers (scripts/allocator.sh) keep the native allocator from returning freed
/// pages by itself, because re-faulting them each step cost more kernel time than the step's compute
/// (jemalloc's default decay: 45% of a TIGER step in the kernel). Never returning them, the heap grew
/// with every new tensor shape (18 GB within 20 minutes, until the OOM killer stopped the run). So
/// the loops release them here every few seconds: jemalloc's <c>arena.&lt;all&gt;.purge</c> when jemalloc
/// is this process's allocator, glibc's <c>malloc_trim(0)</c> otherwise.
/// </summary>
internal static class NativeHeap
{
    /// <summary>Time between releases: 10 s, or GENREC_HEAP_RELEASE_SECONDS.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(
        double.TryParse(Environment.GetEnvironmentVariable("GENREC_HEAP_RELEASE_SECONDS"), System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0 ? seconds : 10);

    private const string AllArenasPurge = "arena.4096.purge"; // MALLCTL_ARENAS_ALL = 4096
    private static readonly Stopwatch SinceRelease = Stopwatch.StartNew();
    private static readonly Lazy<Kind> Allocator = new(Detect);

    private enum Kind
    {
        None,
        Jemalloc,
        Glibc,
    }

    /// <summary>Releases freed native memory when <see cref="Interval"/> has passed since the last release.</summary>
    public static void ReleasePeriodically()
    {
        if (SinceRelease.Elapsed < Interval)
        {
            return;
        }

        Release();
        SinceRelease.Restart();
    }

    /// <summary>Releases freed native memory to the OS now; returns whether an allocator took the request.</summary>
    public static bool Release()
    {
        try
        {
            return Allocator.Value switch
            {
                Kind.Jemalloc => Mallctl(AllArenasPurge, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, UIntPtr.Zero) == 0,
                Kind.Glibc => MallocTrim(UIntPtr.Zero) >= 0,
                _ => false,
            };
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    private static Kind Detect()
    {
        if (!OperatingSystem.IsLinux())
        {
            return Kind.None;
        }

        try
        {
            return File.ReadLines("/proc/self/maps").Any(line => line.Contains("libjemalloc", StringComparison.Ordinal)) ? Kind.Jemalloc : Kind.Glibc;
        }
        catch (IOException)
        {
            return Kind.None;
        }
    }

    [DllImport("libjemalloc.so.2", EntryPoint = "mallctl")]
    private static extern int Mallctl([MarshalAs(UnmanagedType.LPStr)] string name, IntPtr oldValue, IntPtr oldLength, IntPtr newValue, UIntPtr newLength);

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(UIntPtr pad);
}
