using GenRec.Models.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenRec.Models.Encoders;

/// <summary>
/// SASRec (Kang and McAuley, 2018) as generative-recommenders implements it. Per block:
/// <c>q = LN(x); x = q + MHA(q, x, x); x = FFN(LN(x)) (with residual); x *= valid</c>, then a final LayerNorm.
/// </summary>
internal sealed class SasRecEncoder : nn.Module<Tensor, Tensor, Tensor>, ISequenceEncoder
{
    private readonly ModuleList<LayerNorm> attentionNorms = new();
    private readonly ModuleList<CausalMultiHeadAttention> attentions = new();
    private readonly ModuleList<LayerNorm> feedForwardNorms = new();
    private readonly ModuleList<PointwiseFeedForward> feedForwards = new();
    private readonly LayerNorm finalNorm;

    public SasRecEncoder(ModelConfig config) : base(nameof(SasRecEncoder))
    {
        var d = config.EmbeddingDim;
        for (var i = 0; i < config.NumBlocks; i++)
        {
            attentionNorms.Add(nn.LayerNorm(d, eps: 1e-8));
            attentions.Add(new CausalMultiHeadAttention(d, config.NumHeads, config.Dropout));
            feedForwardNorms.Add(nn.LayerNorm(d, eps: 1e-8));
            feedForwards.Add(new PointwiseFeedForward(d, config.FfnHiddenDim, config.Dropout));
        }

        finalNorm = nn.LayerNorm(d, eps: 1e-8);
        RegisterComponents();
    }

    public Tensor Encode(Tensor inputs, Tensor valid) => forward(inputs, valid);

    // x: [B, N, D], valid: [B, N] -> [B, N, D]
    public override Tensor forward(Tensor x, Tensor valid)
    {
        var mask = valid.unsqueeze(-1).to(x.dtype); // [B, N, 1]
        for (var i = 0; i < attentions.Count; i++)
        {
            var q = attentionNorms[i].forward(x);
            x = q + attentions[i].forward(q, x);
            x = feedForwards[i].forward(feedForwardNorms[i].forward(x));
            x = x * mask;
        }

        return finalNorm.forward(x);
    }
}
