using GenRec.Compute;
using static TorchSharp.torch;

namespace GenRec.Tests.Compute;

/// <summary>The in-process CPU fast paths: the relaunch guard, MKL's dispatch on this processor, glibc's settings.</summary>
public class FastPathTests
{
    private const int Pid = 4242;
    private const string Jemalloc = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2";

    private static Func<string, string?> Environment(params (string Key, string Value)[] set) =>
        key => set.FirstOrDefault(e => e.Key == key).Value;

    [Fact]
    public void RelaunchesOnceWhenJemallocIsInstalledAndNotInUse()
    {
        Assert.Null(JemallocRelaunch.SkipReason(Environment(), jemallocLoaded: false, Pid, Jemalloc));
    }

    [Fact]
    public void TheGuardStopsASecondRelaunchOfTheSameProcess()
    {
        // The relaunched process keeps its id (execve) and finds the marker with that id: jemalloc did not load, so no loop.
        var reason = JemallocRelaunch.SkipReason(Environment((JemallocRelaunch.MarkerVariable, Pid.ToString(System.Globalization.CultureInfo.InvariantCulture))), false, Pid, Jemalloc);
        Assert.NotNull(reason);
        Assert.Contains("relaunched once already", reason);

        // A child process (another id) that inherited the marker may still relaunch itself.
        Assert.Null(JemallocRelaunch.SkipReason(Environment((JemallocRelaunch.MarkerVariable, "17")), false, Pid, Jemalloc));
    }

    [Fact]
    public void NoRelaunchWhenJemallocServesTheProcessIsTurnedOffOrIsMissing()
    {
        Assert.Contains("already serves", JemallocRelaunch.SkipReason(Environment(), jemallocLoaded: true, Pid, Jemalloc));
        Assert.Contains(JemallocRelaunch.DisableVariable, JemallocRelaunch.SkipReason(Environment((JemallocRelaunch.DisableVariable, "1")), false, Pid, Jemalloc));
        Assert.Contains("apt-get install libjemalloc2", JemallocRelaunch.SkipReason(Environment(), false, Pid, library: null));
    }

    [Fact]
    public void TheRelaunchEnvironmentPreloadsJemallocFirstWithItsDecayOffAndTheMarker()
    {
        var current = new System.Collections.Hashtable { ["LD_PRELOAD"] = "/opt/other.so", ["PATH"] = "/usr/bin", ["MALLOC_CONF"] = "narenas:2" };
        var environment = JemallocRelaunch.RelaunchEnvironment(current, Jemalloc, Pid);
        Assert.Equal($"{Jemalloc}:/opt/other.so", environment["LD_PRELOAD"]);
        Assert.Equal("narenas:2", environment["MALLOC_CONF"]);                          // a caller's jemalloc settings are kept
        Assert.Equal("/usr/bin", environment["PATH"]);
        Assert.Equal("4242", environment[JemallocRelaunch.MarkerVariable]);

        var bare = JemallocRelaunch.RelaunchEnvironment(new System.Collections.Hashtable(), Jemalloc, Pid);
        Assert.Equal(Jemalloc, bare["LD_PRELOAD"]);
        Assert.Equal(JemallocRelaunch.DecayOff, bare["MALLOC_CONF"]);
    }

    /// <summary>
    /// On an AMD processor with AVX-512 MKL's vendor check answers "Intel" after <see cref="CpuFastPath.Ensure"/>; on any
    /// other processor nothing is written. Either way a float matrix product still equals the double-precision one.
    /// </summary>
    [Fact]
    public void MklDispatchMatchesTheProcessorAndProductsStayExact()
    {
        CpuFastPath.Ensure();
        var x86 = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64;
        var avx512 = System.Runtime.Intrinsics.X86.Avx512F.IsSupported && System.Runtime.Intrinsics.X86.Avx512BW.IsSupported
            && System.Runtime.Intrinsics.X86.Avx512DQ.IsSupported && System.Runtime.Intrinsics.X86.Avx512F.VL.IsSupported;
        var expected = !x86 || !OperatingSystem.IsLinux() ? MklVendorDispatch.Outcome.NotApplicable
            : !MklVendorDispatch.IsAmd() ? MklVendorDispatch.Outcome.IntelProcessor
            : !avx512 ? MklVendorDispatch.Outcome.NoAvx512
            : System.Environment.GetEnvironmentVariable(MklVendorDispatch.DisableVariable) is { Length: > 0 } ? MklVendorDispatch.Outcome.Disabled
            : MklVendorDispatch.Outcome.Avx512Enabled;
        Assert.Equal(expected, MklVendorDispatch.Status);

        var generator = new TorchSharp.torch.Generator(7);
        using var a = randn([96, 64], generator: generator);                              // [96, 64]
        using var b = randn([64, 80], generator: generator);                              // [64, 80]
        using var product = a.matmul(b);                                                  // [96, 80], MKL sgemm
        using var exact = a.to(float64).matmul(b.to(float64));
        Assert.True(product.to(float64).sub(exact).abs().max().item<double>() < 1e-4);
    }

    [Fact]
    public void TheReportCoversEachFastPath()
    {
        var report = CpuFastPath.Report();
        Assert.Equal(["allocator", "MKL kernels", "threads", "denormals"], report.Select(c => c.Name));
        Assert.All(report, c => Assert.False(string.IsNullOrWhiteSpace(c.State)));
    }
}
