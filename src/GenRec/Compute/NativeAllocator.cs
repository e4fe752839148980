namespace GenRec.Compute;

/// <summary>Which native allocator serves this process's malloc (libtorch's tensors): read from /proc/self/maps.</summary>
internal static class NativeAllocator
{
    internal enum Kind
    {
        /// <summary>Not Linux, or the memory map cannot be read.</summary>
        Unknown,

        /// <summary>jemalloc, preloaded (LD_PRELOAD) before the process started.</summary>
        Jemalloc,

        /// <summary>glibc's malloc (the default).</summary>
        Glibc,
    }

    private static readonly Lazy<Kind> Detected = new(Detect);

    /// <summary>The allocator in use (it cannot change once the process runs).</summary>
    public static Kind Current() => Detected.Value;

    private static Kind Detect()
    {
        if (!OperatingSystem.IsLinux())
        {
            return Kind.Unknown;
        }

        try
        {
            return File.ReadLines("/proc/self/maps").Any(line => line.Contains("libjemalloc", StringComparison.Ordinal)) ? Kind.Jemalloc : Kind.Glibc;
        }
        catch (IOException)
        {
            return Kind.Unknown;
        }
    }
}
