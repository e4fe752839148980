using static TorchSharp.torch;

namespace GenRec.Compute;

/// <summary>
/// The CPU fast paths, set up in process wherever GenRec runs (the CLI, a library host, the tests): glibc's allocator
/// tuned (<see cref="GlibcMallocTuning"/>) unless jemalloc serves the process (<see cref="JemallocRelaunch"/>), and
/// MKL's AVX-512 kernels on AMD processors (<see cref="MklVendorDispatch"/>). <see cref="Ensure"/> runs once, from
/// device resolution (every trainer, engine and benchmark resolves its device before its first tensor op) and the
/// CLI's start; <see cref="Report"/> is what <c>genrec doctor</c> prints.
/// </summary>
internal static class CpuFastPath
{
    private static readonly Lazy<bool> Applied = new(ApplyOnce, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Applies the fast paths once: the allocator settings, then libtorch loaded and MKL's dispatch.</summary>
    public static void Ensure() => _ = Applied.Value;

    private static bool ApplyOnce()
    {
        GlibcMallocTuning.Apply();
        _ = get_num_threads();                                                              // loads libtorch (no matrix product yet)
        MklVendorDispatch.Apply();
        return true;
    }

    /// <summary>One check: what it is, its state, and what to do (null where nothing needs doing).</summary>
    internal sealed record Check(string Name, string State, string? Advice);

    /// <summary>The allocator, MKL's kernel path, threads and denormals, each with advice where it is not the fast one.</summary>
    public static IReadOnlyList<Check> Report()
    {
        Ensure();
        return [Allocator(), Mkl(), Threads(), Denormals()];
    }

    /// <summary>The allocator and MKL's kernel path in a few words, for benchmark files (e.g. "jemalloc, MKL AVX-512").</summary>
    public static string Summary()
    {
        Ensure();
        var allocator = NativeAllocator.Current() switch
        {
            NativeAllocator.Kind.Jemalloc => "jemalloc",
            NativeAllocator.Kind.Glibc => GlibcMallocTuning.Applied ? "glibc malloc tuned" : "glibc malloc default",
            _ => "allocator unknown",
        };
        var mkl = MklVendorDispatch.Status switch
        {
            MklVendorDispatch.Outcome.Avx512Enabled => "MKL AVX-512",
            MklVendorDispatch.Outcome.Disabled or MklVendorDispatch.Outcome.UnknownMkl => "MKL AVX2 on AVX-512",
            MklVendorDispatch.Outcome.NoAvx512 => "MKL AVX2",
            MklVendorDispatch.Outcome.IntelProcessor => "MKL by instruction set",
            _ => "MKL n/a",
        };
        return $"{allocator}, {mkl}";
    }

    /// <summary>A one-line warning for logs when a fast path is missing (null when all are there).</summary>
    public static string? Warning()
    {
        var missing = Report().Where(c => c.Advice is not null).Select(c => $"{c.Name}: {c.State} ({c.Advice})").ToList();
        return missing.Count == 0 ? null : "GenRec CPU fast path missing: " + string.Join("; ", missing);
    }

    private static Check Allocator()
    {
        const string Relaunch = "call GenRec.JemallocRelaunch.IfAvailable() first in Main (the genrec command does), or start with LD_PRELOAD=libjemalloc.so.2";
        return NativeAllocator.Current() switch
        {
            NativeAllocator.Kind.Jemalloc => Environment.GetEnvironmentVariable("MALLOC_CONF") is { } conf && conf.Contains("dirty_decay_ms:-1", StringComparison.Ordinal)
                ? new Check("allocator", "jemalloc, decay off", null)
                : new Check("allocator", "jemalloc with its default decay", $"set MALLOC_CONF={JemallocRelaunch.DecayOff}: freed pages are otherwise faulted in again every step"),
            NativeAllocator.Kind.Glibc when GlibcMallocTuning.Applied => new Check("allocator", "glibc malloc, tuned in process (no mmap per buffer, no trim: as fast as jemalloc once warm)", null),
            NativeAllocator.Kind.Glibc => new Check("allocator", "glibc malloc with its defaults", $"unset {GlibcMallocTuning.DisableVariable}, or {Relaunch}: glibc's defaults ran SASRec 6-12x slower"),
            _ => new Check("allocator", "unknown (not Linux)", null),
        };
    }

    private static Check Mkl() => MklVendorDispatch.Status switch
    {
        MklVendorDispatch.Outcome.Avx512Enabled => new Check("MKL kernels", "AVX-512 (AMD processor; MKL's vendor check answered in process)", null),
        MklVendorDispatch.Outcome.IntelProcessor => new Check("MKL kernels", "chosen by instruction set (Intel processor)", null),
        MklVendorDispatch.Outcome.NoAvx512 => new Check("MKL kernels", "AVX2 (AMD processor without AVX-512: the best path it has)", null),
        MklVendorDispatch.Outcome.Disabled => new Check("MKL kernels", $"AVX2 on an AVX-512 processor ({MklVendorDispatch.DisableVariable} is set)", $"unset {MklVendorDispatch.DisableVariable}: matrix products ran 2x faster on AVX-512"),
        MklVendorDispatch.Outcome.UnknownMkl => new Check("MKL kernels", "AVX2 on an AVX-512 processor (this libtorch's MKL dispatcher is not the known one: left alone)", "use the libtorch of the TorchSharp package (2.10), or report the libtorch version"),
        _ => new Check("MKL kernels", "not applicable (not x86-64 Linux, or no libtorch_cpu.so loaded)", null),
    };

    private static Check Threads()
    {
        var (threads, cores) = (get_num_threads(), Environment.ProcessorCount);
        var state = $"{threads} libtorch thread(s) on {cores} core(s)" + (Environment.GetEnvironmentVariable("GENREC_THREADS") is { } set ? $" (GENREC_THREADS={set})" : "");
        return threads > cores
            ? new Check("threads", state, $"more threads than cores: set GENREC_THREADS={cores} or fewer")
            : new Check("threads", state, null);
    }

    /// <summary>Whether libtorch keeps subnormal floats on this thread (1e-39 * 1 stays non-zero) or flushes them to zero.</summary>
    private static Check Denormals()
    {
        using var tiny = tensor(1e-39f);
        using var product = tiny * 1f;
        return product.item<float>() == 0f
            ? new Check("denormals", "flushed to zero (FTZ/DAZ set on this thread)", null)
            : new Check("denormals", "kept (IEEE subnormals: libtorch's and PyTorch's default)", null);
    }
}
