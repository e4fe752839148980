using GenRec.Compute;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Models.Modules;

/// <summary>Transformer position-wise feed-forward with its residual: <c>x + Dropout(W2 Dropout(act(W1 x)))</c>, act ReLU (SASRec) or GELU (BERT4Rec).</summary>
internal sealed class PointwiseFeedForward : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Linear inner;
    private readonly TorchSharp.Modules.Linear outer;
    private readonly FastDropout dropout;
    private readonly bool gelu;

    public PointwiseFeedForward(int dim, int hiddenDim, double dropoutRate, bool gelu = false) : base(nameof(PointwiseFeedForward))
    {
        inner = nn.Linear(dim, hiddenDim);
        outer = nn.Linear(hiddenDim, dim);
        dropout = new FastDropout(dropoutRate);
        this.gelu = gelu;
        RegisterComponents();
    }

    /// <summary>Xavier-normal weights (<c>sqrt(2 / (D + H))</c>, as on the research code's kernel-1 convolutions); biases keep their default.</summary>
    public void ResetXavierNormal()
    {
        using var _ = no_grad();
        foreach (var layer in new[] { inner, outer })
        {
            layer.weight!.normal_(0, Math.Sqrt(2.0 / (layer.weight.shape[0] + layer.weight.shape[1])));
        }
    }

    // x: [B, N, D] -> [B, N, D]
    public override Tensor forward(Tensor x)
    {
        var hidden = inner.Apply(x);
        hidden = gelu ? nn.functional.gelu(hidden) : nn.functional.relu(hidden);
        return x + dropout.forward(outer.Apply(dropout.forward(hidden)));
    }
}
