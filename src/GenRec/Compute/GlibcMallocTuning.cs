using System.Runtime.InteropServices;

namespace GenRec.Compute;

/// <summary>
/// glibc's allocator settings for libtorch, applied in process with <c>mallopt</c> (the same as the environment
/// variables <c>MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=...</c>, which only a launcher can set). With glibc's
/// defaults every buffer above the mmap threshold (128 KiB, adapting up to 32 MiB) is mapped on allocation and
/// unmapped on free, so each training step faults its activations in again: on the 2-core EPYC VM a full-softmax
/// SASRec step spent more time in the kernel than in libtorch (28 sequences/s against 330 with jemalloc). Here large
/// blocks come from the heap and stay there; freed memory is handed back by the loops' <see cref="Util.NativeHeap"/>
/// releases (<c>malloc_trim</c>), not by every free. Nothing is done when jemalloc is the allocator, or with
/// <c>GENREC_NO_MALLOC_TUNING=1</c>.
/// </summary>
internal static class GlibcMallocTuning
{
    public const string DisableVariable = "GENREC_NO_MALLOC_TUNING";
    private const int MTrimThreshold = -1;                                                // glibc malloc.h
    private const int MMmapMax = -4;

    /// <summary>Whether the settings were applied (false: jemalloc, not glibc, not Linux, or turned off).</summary>
    public static bool Applied { get; private set; }

    /// <summary>Applies the settings once; later calls do nothing.</summary>
    public static bool Apply()
    {
        if (Applied || !OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(DisableVariable) is { Length: > 0 }
            || NativeAllocator.Current() != NativeAllocator.Kind.Glibc)
        {
            return Applied;
        }

        try
        {
            Applied = Mallopt(MMmapMax, 0) == 1 && Mallopt(MTrimThreshold, int.MaxValue) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            Applied = false;                                                               // a libc without mallopt (musl)
        }

        return Applied;
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int parameter, int value);
}
