using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Models.Modules;

/// <summary>SASRec's position-wise feed-forward with its residual: <c>x + Dropout(W2 Dropout(ReLU(W1 x)))</c>.</summary>
internal sealed class PointwiseFeedForward : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Linear inner;
    private readonly TorchSharp.Modules.Linear outer;
    private readonly TorchSharp.Modules.Dropout dropout;

    public PointwiseFeedForward(int dim, int hiddenDim, double dropoutRate) : base(nameof(PointwiseFeedForward))
    {
        inner = nn.Linear(dim, hiddenDim);
        outer = nn.Linear(hiddenDim, dim);
        dropout = nn.Dropout(dropoutRate);
        RegisterComponents();
    }

    // x: [B, N, D] -> [B, N, D]
    public override Tensor forward(Tensor x) =>
        x + dropout.forward(outer.forward(dropout.forward(nn.functional.relu(inner.forward(x)))));
}
