using GenRec.Configuration;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Compute;

/// <summary>
/// Turns a device name into a libtorch device and sets the numerics that go with it. Names: auto
/// (CUDA device 0 when libtorch reports CUDA, else the CPU), cpu, cuda, cuda:N, and meta (shapes
/// only: placement checks without a GPU).
/// </summary>
internal static class ComputeDevice
{
    public static Device Resolve(string? name)
    {
        CpuFastPath.Ensure();
        var spec = (name ?? "auto").Trim().ToLowerInvariant();
        if (spec is "auto")
        {
            return cuda.is_available() ? new Device(DeviceType.CUDA, RankGpu()) : CPU;
        }

        if (spec is "cpu")
        {
            return CPU;
        }

        if (spec is "meta")
        {
            return new Device(DeviceType.META);
        }

        if (spec == "cuda" || spec.StartsWith("cuda:", StringComparison.Ordinal))
        {
            var index = spec == "cuda" && cuda.is_available() ? RankGpu() : 0;
            if (spec.Length > 4 && !int.TryParse(spec[5..], out index))
            {
                throw new ArgumentException($"device '{name}': expected cuda:N with N a device index");
            }

            if (!cuda.is_available())
            {
                throw new ArgumentException($"device '{name}': libtorch reports no CUDA (the loaded libtorch is CPU-only or no GPU is visible); run `genrec doctor`, or use --device cpu");
            }

            var count = cuda.device_count();
            return index < count ? new Device(DeviceType.CUDA, index) : throw new ArgumentException($"device '{name}': only {count} CUDA device(s) visible (cuda:0..cuda:{count - 1})");
        }

        throw new ArgumentException($"unknown device '{name}' (expected auto, cpu, cuda or cuda:N)");
    }

    // "cuda" without an index: device 0, or under mpirun the local rank's own GPU (one rank per GPU; ranks beyond the
    // GPUs share them round robin).
    private static int RankGpu() => Distributed.MpiProcessGroup.LocalRank is { } local ? local % Math.Max(1, cuda.device_count()) : 0;

    /// <summary>Resolves the config's device and applies its numerics (TF32 on CUDA).</summary>
    public static Device Prepare(ComputeConfig config)
    {
        var device = Resolve(config.Device);
        _ = MixedPrecision.On(config.Precision);
        if (device.type == DeviceType.CUDA)
        {
            backends.cuda.matmul.allow_tf32 = config.Tf32;
            backends.cudnn.allow_tf32 = config.Tf32;
        }

        return device;
    }

    /// <summary>The device a module's parameters live on (the CPU for a module without parameters).</summary>
    public static Device DeviceOf(nn.Module module) => module.parameters().FirstOrDefault()?.device ?? CPU;

    /// <summary>A seeded random generator on the device (libtorch draws on CUDA with a CUDA generator); the CPU's otherwise.</summary>
    public static Generator NewGenerator(ulong seed, Device device) =>
        device.type == DeviceType.CUDA ? new Generator(seed, device) : new Generator(seed);

    /// <summary>
    /// A host tensor on the device: itself on the CPU; on a GPU copied once from pinned memory without
    /// waiting (the copy is ordered on the stream before the kernels that read it).
    /// </summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(host))]
    public static Tensor? ToDevice(this Tensor? host, Device device)
    {
        if (host is null)
        {
            return null;
        }

        if (host.device_type == device.type && (device.type != DeviceType.CUDA || host.device_index == device.index))
        {
            return host;
        }

        return device.type == DeviceType.CUDA && host.device_type == DeviceType.CPU
            ? host.pin_memory().to(device, non_blocking: true)                          // page-locked, so the copy need not wait
            : host.to(device);
    }
}
