using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Models.Modules;

/// <summary>
/// Input preprocessing of generative-recommenders' <c>LearnablePositionalEmbeddingInputFeaturesPreprocessor</c>:
/// <c>x = emb(ids) * sqrt(D) + pos_emb(position)</c>, dropout, then padding positions zeroed.
/// Without positions (<c>plain</c>, for GRU4Rec) it is <c>x = emb(ids)</c>, dropout, padding zeroed.
/// </summary>
internal sealed class LearnablePositionalPreprocessor : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Embedding? positions;
    private readonly FastDropout dropout;
    private readonly double scale;

    public LearnablePositionalPreprocessor(int maxLength, int dim, double dropoutRate, bool usePositions = true) : base(nameof(LearnablePositionalPreprocessor))
    {
        if (usePositions)
        {
            positions = nn.Embedding(maxLength, dim);
            using (no_grad())
            {
                TruncatedNormal.Fill(positions.weight!, mean: 0, std: 0.02, a: -0.04, b: 0.04);
            }
        }

        dropout = new FastDropout(dropoutRate);
        scale = usePositions ? Math.Sqrt(dim) : 1.0;
        RegisterComponents();
    }

    // itemEmbeddings: [B, N, D], valid: [B, N] bool -> [B, N, D]
    public override Tensor forward(Tensor itemEmbeddings, Tensor valid)
    {
        var x = itemEmbeddings * scale;                                           // [B, N, D]
        if (positions is not null)
        {
            using var positionIds = arange(itemEmbeddings.shape[1], device: itemEmbeddings.device); // [N]
            x = x + positions.forward(positionIds).unsqueeze(0);
        }

        x = dropout.forward(x);
        return x * valid.unsqueeze(-1).to(x.dtype);
    }
}
