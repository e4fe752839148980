using GenRec.Configuration;
using System.CommandLine;
using GenRec.Compute;
using static TorchSharp.torch;

namespace GenRec.Cli.Commands;

/// <summary>
/// <c>--device auto|cpu|cuda|cuda:N</c> on every command that runs a model: for training it overrides
/// the config's <c>compute.device</c>; for a checkpoint it is where the model is loaded (default auto).
/// </summary>
internal static class DeviceOption
{
    public static Option<string?> Create() => new("--device") { Description = "auto (CUDA when libtorch has it), cpu, cuda or cuda:N; overrides the config's compute.device" };

    /// <summary>The config's compute settings with the command line's device, when given.</summary>
    public static ComputeConfig Override(ComputeConfig compute, string? device) => device is null ? compute : compute with { Device = device };

    /// <summary>The device to load a checkpoint on.</summary>
    public static Device Resolve(string? device) => ComputeDevice.Resolve(device ?? "auto");
}
