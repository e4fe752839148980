using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Compute;

/// <summary>
/// Which libtorch the process runs on, and a way to bring one: <c>GENREC_LIBTORCH</c> names a folder of
/// libtorch libraries (a PyTorch installation's <c>torch/lib</c>), loaded by full path before TorchSharp
/// first touches libtorch, so that TorchSharp's own load by library name finds them already in the
/// process. Use it with a build that ships no libtorch (<c>-p:GenRecLibTorch=none</c>); a build with the
/// CPU package would load a second copy.
/// </summary>
internal static class LibTorchRuntime
{
    public const string Variable = "GENREC_LIBTORCH";

    // Dependency order: each one's libtorch dependencies are in the process before it is loaded.
    private static readonly string[] Libraries = ["libc10.so", "libtorch_cpu.so", "libc10_cuda.so", "libtorch_cuda.so", "libtorch.so"];

    /// <summary>Loads the libraries named by <c>GENREC_LIBTORCH</c>, when it is set; the folder it used, or null.</summary>
    public static string? PreloadFromEnvironment()
    {
        var folder = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(folder))
        {
            return null;
        }

        if (!File.Exists(Path.Combine(folder, "libtorch_cpu.so")))
        {
            throw new DirectoryNotFoundException($"{Variable}={folder}: no libtorch_cpu.so there (expected a PyTorch installation's torch/lib folder)");
        }

        foreach (var library in Libraries)
        {
            var path = Path.Combine(folder, library);
            if (File.Exists(path) && !NativeLibrary.TryLoad(path, out _))
            {
                throw new DllNotFoundException($"{Variable}={folder}: {library} did not load (a missing CUDA runtime or an ABI mismatch; `ldd {path}` tells which)");
            }
        }

        return folder;
    }

    /// <summary>A report of the libtorch in use: version, file, CUDA, devices (what `genrec doctor` prints).</summary>
    public static IReadOnlyList<(string Key, string Value)> Describe()
    {
        var rows = new List<(string, string)>
        {
            ("TorchSharp", typeof(torch).Assembly.GetName().Version?.ToString() ?? "?"),
            ("libtorch", __version__),
            ("libtorch file", LoadedFrom("libtorch_cpu.so") ?? "(not found in /proc/self/maps)"),
            (Variable, Environment.GetEnvironmentVariable(Variable) ?? "(unset)"),
            ("threads", get_num_threads().ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        var hasCuda = cuda.is_available();
        rows.Add(("CUDA available", hasCuda ? "yes" : "no"));
        if (hasCuda)
        {
            rows.Add(("libtorch_cuda file", LoadedFrom("libtorch_cuda.so") ?? "?"));
            rows.Add(("cuDNN", cuda.is_cudnn_available() ? "yes" : "no"));
            var count = cuda.device_count();
            rows.Add(("CUDA devices", count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            rows.AddRange(NvidiaSmi().Select((line, i) => ($"cuda:{i}", line)));
        }

        rows.Add(("device auto", ComputeDevice.Resolve("auto").ToString()));
        return rows;
    }

    /// <summary>The path of a loaded library (by file name), from the process's memory map; null when absent or unreadable.</summary>
    internal static string? LoadedFrom(string library)
    {
        try
        {
            return File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(f => f.Length >= 6).Select(f => f[^1])
                .FirstOrDefault(p => Path.GetFileName(p) == library);
        }
        catch (IOException)
        {
            return null;
        }
    }

    // Device names and memory: TorchSharp has no API for them, nvidia-smi has.
    private static IEnumerable<string> NvidiaSmi()
    {
        try
        {
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("nvidia-smi", "--query-gpu=name,memory.total,memory.used --format=csv,noheader") { RedirectStandardOutput = true, RedirectStandardError = true });
            var output = process!.StandardOutput.ReadToEnd();
            process.WaitForExit(10_000);
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return ["(nvidia-smi not found: name and memory unknown)"];
        }
    }
}
