using static TorchSharp.torch;

namespace GenRec.Models.Modules;

/// <summary>
/// Truncated-normal initialisation by inverse CDF, as <c>torch.nn.init.trunc_normal_</c> does it.
/// TorchSharp 0.107's own <c>trunc_normal_</c> fills the tensor with a constant (checked in
/// <c>LayerTests.EmbeddingInitIsTruncatedNormalWithZeroPadding</c>), so GenRec uses this instead.
/// </summary>
internal static class TruncatedNormal
{
    public static Tensor Fill(Tensor tensor, double mean, double std, double a, double b)
    {
        using var _ = no_grad();
        var low = NormalCdf((a - mean) / std);
        var high = NormalCdf((b - mean) / std);
        tensor.uniform_((2 * low) - 1, (2 * high) - 1);
        tensor.erfinv_();
        tensor.mul_(std * Math.Sqrt(2.0));
        tensor.add_(mean);
        tensor.clamp_(a, b);
        return tensor;
    }

    private static double NormalCdf(double x)
    {
        using var t = TorchSharp.torch.tensor(x / Math.Sqrt(2.0), float64);
        return (1.0 + t.erf().item<double>()) / 2.0;
    }
}
