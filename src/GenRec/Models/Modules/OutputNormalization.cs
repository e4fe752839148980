using GenRec.Configuration;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Models.Modules;

/// <summary>Output postprocessor applied to user states and item embeddings alike: L2 normalisation, LayerNorm or none.</summary>
internal sealed class OutputNormalization : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.LayerNorm? layerNorm;
    private readonly double eps;
    private readonly bool identity;

    public OutputNormalization(OutputNorm kind, int dim, double eps = 1e-6) : base(nameof(OutputNormalization))
    {
        this.eps = eps;
        identity = kind == OutputNorm.None;
        layerNorm = kind == OutputNorm.Layernorm ? nn.LayerNorm(dim) : null;
        RegisterComponents();
    }

    // x: [..., D] -> [..., D]
    public override Tensor forward(Tensor x) =>
        identity ? x : layerNorm is null ? x / x.norm(-1, keepdim: true).clamp_min(eps) : layerNorm.forward(x);
}
