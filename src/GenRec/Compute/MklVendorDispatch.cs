using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace GenRec.Compute;

/// <summary>
/// Lets Intel MKL (linked into libtorch_cpu.so, which runs float matrix products through it) choose its kernels by
/// instruction set on AMD processors with AVX-512, in process, with nothing preloaded and no C compiler.
/// <para>
/// MKL's dispatcher asks <c>mkl_serv_intel_cpu_true()</c> before it looks at the instruction set; on an AMD processor
/// the answer is 0 and MKL runs its generic AVX2 ("zen") path even where AVX-512 is there. The function caches its
/// answer in a static int of libtorch_cpu.so (-1: not asked yet) and returns the cached value when it is not negative:
/// <code>
/// mkl_serv_intel_cpu_true:  8B 05 disp32   mov eax, [rip + disp32]   ; the cache
///                           85 C0          test eax, eax
///                           78 ..          js  (not cached yet: CPUID, compare the vendor string, store)
///                           C3             ret
/// </code>
/// We find the exported function, check those bytes, and store 1 in the cache before MKL first dispatches: MKL then
/// selects its kernels by CPUID alone, as on Intel processors. Where the bytes differ (another MKL build) nothing is
/// written and <see cref="Status"/> says so. Measured on the 2-core AMD EPYC (one thread, sgemm [5376, 128] x [128,
/// 1024]): 53 GFLOP/s on the vendor path, 111 on the AVX-512 path, the same results to float rounding.
/// GENREC_NO_MKL_AVX512=1 leaves MKL as it is.
/// </para>
/// </summary>
internal static class MklVendorDispatch
{
    public const string DisableVariable = "GENREC_NO_MKL_AVX512";
    private const string Function = "mkl_serv_intel_cpu_true";

    /// <summary>What <see cref="Apply"/> found and did.</summary>
    internal enum Outcome
    {
        /// <summary>Not an x86-64 Linux process, or libtorch_cpu.so is not loaded.</summary>
        NotApplicable,

        /// <summary>An Intel processor: MKL already chooses by instruction set.</summary>
        IntelProcessor,

        /// <summary>An AMD processor without AVX-512 (F, BW, DQ, VL): MKL's AVX2 path is the best there is.</summary>
        NoAvx512,

        /// <summary>Turned off by GENREC_NO_MKL_AVX512.</summary>
        Disabled,

        /// <summary>This libtorch exports no MKL dispatcher or its code is not the shape described above: left alone.</summary>
        UnknownMkl,

        /// <summary>MKL answers "Intel" and picks its AVX-512 kernels.</summary>
        Avx512Enabled,
    }

    /// <summary>The outcome of the first <see cref="Apply"/> (NotApplicable before it ran).</summary>
    public static Outcome Status { get; private set; } = Outcome.NotApplicable;

    /// <summary>
    /// Stores "Intel" in MKL's vendor cache where that makes MKL use AVX-512 (AMD with AVX-512); call once libtorch is
    /// loaded and before its first matrix product. Idempotent.
    /// </summary>
    public static Outcome Apply()
    {
        Status = Decide();
        return Status;
    }

    private static unsafe Outcome Decide()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return Outcome.NotApplicable;
        }

        if (!IsAmd())
        {
            return Outcome.IntelProcessor;
        }

        if (!(Avx512F.IsSupported && Avx512BW.IsSupported && Avx512DQ.IsSupported && Avx512F.VL.IsSupported))
        {
            return Outcome.NoAvx512;
        }

        if (Environment.GetEnvironmentVariable(DisableVariable) is { Length: > 0 })
        {
            return Outcome.Disabled;
        }

        if (LibTorchRuntime.LoadedFrom("libtorch_cpu.so") is not { } path || !NativeLibrary.TryLoad(path, out var handle))
        {
            return Outcome.NotApplicable;
        }

        try
        {
            if (!NativeLibrary.TryGetExport(handle, Function, out var function))
            {
                return Outcome.UnknownMkl;
            }

            var code = (byte*)function;
            var shaped = code[0] == 0x8B && code[1] == 0x05 && code[6] == 0x85 && code[7] == 0xC0 && code[8] == 0x78;
            if (!shaped)
            {
                return Outcome.UnknownMkl;
            }

            var cache = (int*)(code + 6 + *(int*)(code + 2));                             // rip-relative: next instruction + disp32
            System.Threading.Volatile.Write(ref *cache, 1);
            return ((delegate* unmanaged<int>)function)() == 1 ? Outcome.Avx512Enabled : Outcome.UnknownMkl;
        }
        finally
        {
            NativeLibrary.Free(handle);                                                   // our reference only: libtorch stays loaded
        }
    }

    /// <summary>CPUID leaf 0's vendor string is "AuthenticAMD".</summary>
    internal static bool IsAmd()
    {
        if (!X86Base.IsSupported)
        {
            return false;
        }

        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        Span<int> vendor = [ebx, edx, ecx];
        return System.Text.Encoding.ASCII.GetString(MemoryMarshal.AsBytes(vendor)) == "AuthenticAMD";
    }
}
