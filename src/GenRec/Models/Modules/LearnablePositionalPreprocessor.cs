using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Models.Modules;

/// <summary>
/// Input preprocessing of generative-recommenders' <c>LearnablePositionalEmbeddingInputFeaturesPreprocessor</c>:
/// <c>x = emb(ids) * sqrt(D) + pos_emb(position)</c>, dropout, then padding positions zeroed.
/// </summary>
internal sealed class LearnablePositionalPreprocessor : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Embedding positions;
    private readonly TorchSharp.Modules.Dropout dropout;
    private readonly double scale;

    public LearnablePositionalPreprocessor(int maxLength, int dim, double dropoutRate) : base(nameof(LearnablePositionalPreprocessor))
    {
        positions = nn.Embedding(maxLength, dim);
        using (no_grad())
        {
            TruncatedNormal.Fill(positions.weight!, mean: 0, std: 0.02, a: -0.04, b: 0.04);
        }

        dropout = nn.Dropout(dropoutRate);
        scale = Math.Sqrt(dim);
        RegisterComponents();
    }

    // itemEmbeddings: [B, N, D], valid: [B, N] bool -> [B, N, D]
    public override Tensor forward(Tensor itemEmbeddings, Tensor valid)
    {
        var n = itemEmbeddings.shape[1];
        using var positionIds = arange(n, device: itemEmbeddings.device);          // [N]
        var x = itemEmbeddings * scale + positions.forward(positionIds).unsqueeze(0); // [B, N, D]
        x = dropout.forward(x);
        return x * valid.unsqueeze(-1).to(x.dtype);
    }
}
