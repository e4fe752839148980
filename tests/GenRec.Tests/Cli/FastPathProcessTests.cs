using System.Diagnostics;

namespace GenRec.Tests.Cli;

/// <summary>
/// The <c>genrec</c> command started as a user starts it (no preload, no launcher script, from an empty folder): it
/// restarts itself under jemalloc where it is installed, and <c>genrec doctor</c> says so, with MKL's kernel path.
/// </summary>
public class FastPathProcessTests
{
    private static readonly bool JemallocInstalled = JemallocRelaunch.Library() is not null;

    private static (int Code, string Output) Genrec(string workingFolder, IReadOnlyDictionary<string, string> set, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingFolder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "GenRec.Cli.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in new[] { "LD_PRELOAD", "MALLOC_CONF", "GENREC_RELAUNCHED", "GENREC_NO_JEMALLOC", "GENREC_NO_MALLOC_TUNING", "GENREC_NO_MKL_AVX512", "GENREC_THREADS" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in set)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "genrec did not finish within 2 minutes");
        return (process.ExitCode, output + error.Result);
    }

    [Fact]
    public void DoctorReportsTheAllocatorTheCommandRelaunchedUnder()
    {
        using var folder = new TempDir();
        var (code, output) = Genrec(folder.Path, new Dictionary<string, string>(), "doctor");
        Assert.Equal(0, code);
        Assert.Contains(JemallocInstalled ? "jemalloc, decay off" : "glibc malloc, tuned in process", output);
        Assert.Contains("MKL kernels", output);
        Assert.Contains("denormals", output);
        if (GenRec.Compute.MklVendorDispatch.IsAmd() && System.Runtime.Intrinsics.X86.Avx512BW.IsSupported)
        {
            Assert.Contains("AVX-512 (AMD processor", output);
        }
    }

    [Fact]
    public void EachFastPathCanBeTurnedOffAndDoctorSaysWhatToDo()
    {
        using var folder = new TempDir();
        var off = new Dictionary<string, string> { ["GENREC_NO_JEMALLOC"] = "1", ["GENREC_NO_MALLOC_TUNING"] = "1", ["GENREC_NO_MKL_AVX512"] = "1" };
        var (code, output) = Genrec(folder.Path, off, "doctor");
        Assert.Equal(0, code);
        // One warning line on standard error names each missing path and what to do.
        Assert.Contains("warning: GenRec CPU fast path missing: allocator: glibc malloc with its defaults (unset GENREC_NO_MALLOC_TUNING", output);
        if (GenRec.Compute.MklVendorDispatch.IsAmd() && System.Runtime.Intrinsics.X86.Avx512BW.IsSupported)
        {
            Assert.Contains("MKL kernels: AVX2 on an AVX-512 processor (GENREC_NO_MKL_AVX512 is set) (unset GENREC_NO_MKL_AVX512", output);
        }
    }
}
