using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Models.Modules;

/// <summary>
/// SiLU for inputs of any size at full speed on the CPU. libtorch's CPU SiLU (forward and backward) computes
/// <c>exp(-x)</c> with a vector exp that leaves its fast path for a whole 16-lane vector when one lane is outside
/// about ±88, which HSTU's attention logits <c>q k^T + rab</c> were taken to reach as training goes on (ML-1M
/// HSTU-large: 160 sequences/s falling to 62; one epoch 1.72x faster with this). That cause is not confirmed: the
/// epoch-71 checkpoint's logits on a random-id batch stay within ±8, and the profile that put the time in exp was
/// skewed by page faults on fresh tensor memory (docs/models/sequential-retrieval.md). Here
/// <code>SiLU(x) = SiLU(clamp(x, -T, T)) + ReLU(x - T)</code> with T = 80: equal to SiLU(x) within float precision
/// for every x (SiLU(T) = T in float; SiLU(-T) = -T e^-T, below 1e-32), with the same gradient (1 above T, 0 below -T),
/// and exp only ever sees the fast range. On a GPU plain SiLU is used.
/// </summary>
internal static class WideRangeSilu
{
    internal const double Threshold = 80;

    // x: any shape -> SiLU(x), same shape
    public static Tensor Apply(Tensor x) => x.device_type != DeviceType.CPU
        ? nn.functional.silu(x)
        : nn.functional.silu(x.clamp(-Threshold, Threshold)) + (x - Threshold).relu();
}
