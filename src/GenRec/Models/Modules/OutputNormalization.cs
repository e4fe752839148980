using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Models.Modules;

/// <summary>Output postprocessor applied to user states and item embeddings alike: L2 normalisation or LayerNorm.</summary>
internal sealed class OutputNormalization : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.LayerNorm? layerNorm;
    private readonly double eps;

    public OutputNormalization(string kind, int dim, double eps = 1e-6) : base(nameof(OutputNormalization))
    {
        this.eps = eps;
        layerNorm = kind switch
        {
            "l2" => null,
            "layernorm" => nn.LayerNorm(dim),
            _ => throw new ArgumentException($"unknown output norm '{kind}' (expected l2 or layernorm)"),
        };
        RegisterComponents();
    }

    // x: [..., D] -> [..., D]
    public override Tensor forward(Tensor x) =>
        layerNorm is null ? x / x.norm(-1, keepdim: true).clamp_min(eps) : layerNorm.forward(x);
}
