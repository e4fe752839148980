using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Compute;

/// <summary>
/// bf16 matrix products with fp32 everywhere else. TorchSharp has no autocast, so the encoders'
/// linear layers call <see cref="Linear"/>: under bf16 the input and weights are cast to bfloat16 for
/// the product (autograd casts the gradients back, so parameters and optimiser state stay fp32) and
/// the output is cast back to fp32 before norms, softmax and the loss. The setting is per thread and
/// scoped (<see cref="Use"/>), so evaluation and other threads are unaffected.
/// </summary>
internal static class MixedPrecision
{
    [ThreadStatic]
    private static bool bf16;

    public static bool Bf16 => bf16;

    public static bool On(Configuration.Precision precision) => precision == Configuration.Precision.Bf16;

    /// <summary>Turns bf16 products on (or off) for this thread until the result is disposed.</summary>
    public static IDisposable Use(bool on)
    {
        var before = bf16;
        bf16 = on;
        return new Restore(before);
    }

    /// <summary>y = x W^T + b, in bf16 when it is on (result fp32).</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias)
    {
        if (!bf16 || x.dtype != ScalarType.Float32)
        {
            return nn.functional.linear(x, weight, bias);
        }

        return nn.functional.linear(x.to(ScalarType.BFloat16), weight.to(ScalarType.BFloat16), bias?.to(ScalarType.BFloat16)).to(ScalarType.Float32);
    }

    /// <summary>The layer's product, in bf16 when it is on.</summary>
    public static Tensor Apply(this TorchSharp.Modules.Linear layer, Tensor x) => Linear(x, layer.weight!, layer.bias);

    /// <summary>x W (a weight stored [in, out]), in bf16 when it is on.</summary>
    public static Tensor MatMul(Tensor x, Tensor weight) =>
        bf16 && x.dtype == ScalarType.Float32 ? x.to(ScalarType.BFloat16).matmul(weight.to(ScalarType.BFloat16)).to(ScalarType.Float32) : x.matmul(weight);

    private sealed class Restore(bool before) : IDisposable
    {
        public void Dispose() => bf16 = before;
    }
}
