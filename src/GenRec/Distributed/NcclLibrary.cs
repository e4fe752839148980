using System.Runtime.InteropServices;

namespace GenRec.Distributed;

/// <summary>
/// Finds NCCL's <c>libnccl.so.2</c> as libtorch is found: a file named by <c>GENREC_NCCL</c>; else beside the libtorch that
/// <c>GENREC_LIBTORCH</c> names (its own folder, then the pip layout's <c>site-packages/nvidia/nccl/lib</c>, where PyTorch's
/// CUDA wheels put it); else by name, which finds the copy a CUDA libtorch already loaded (it links NCCL) or one on the
/// loader's path.
/// </summary>
internal static class NcclLibrary
{
    public const string Variable = "GENREC_NCCL";

    public const string FileName = "libnccl.so.2";

    /// <summary>The places tried, in order: only <paramref name="named"/> when it is given.</summary>
    public static IReadOnlyList<string> Candidates(string? named, string? libtorchFolder)
    {
        if (!string.IsNullOrWhiteSpace(named))
        {
            return [named];
        }

        var places = new List<string>();
        if (!string.IsNullOrWhiteSpace(libtorchFolder))
        {
            places.Add(Path.Combine(libtorchFolder, FileName));
            places.Add(Path.GetFullPath(Path.Combine(libtorchFolder, "..", "..", "nvidia", "nccl", "lib", FileName)));
        }

        places.Add(FileName);
        return places;
    }

    /// <summary>Loads NCCL from the first place that has it.</summary>
    /// <exception cref="DllNotFoundException">No place had it; the message names every place tried and how to give one.</exception>
    public static nint Load() => Load(Environment.GetEnvironmentVariable(Variable), Environment.GetEnvironmentVariable(Compute.LibTorchRuntime.Variable));

    internal static nint Load(string? named, string? libtorchFolder)
    {
        var places = Candidates(named, libtorchFolder);
        foreach (var place in places)
        {
            if ((place == FileName || File.Exists(place)) && NativeLibrary.TryLoad(place, out var library))
            {
                return library;
            }
        }

        throw new DllNotFoundException(!string.IsNullOrWhiteSpace(named)
            ? $"{Variable}={named}: NCCL did not load from there ({(File.Exists(named) ? "the file exists: a missing CUDA runtime or another architecture; `ldd` tells which" : "no such file")})"
            : $"NCCL ({FileName}) not found for a data-parallel run on CUDA; tried {string.Join(", ", places)}. It ships with PyTorch's CUDA wheels (site-packages/nvidia/nccl/lib) and NVIDIA's packages (libnccl2); name it with {Variable}=<path to {FileName}>");
    }
}
