using GenRec.Models.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenRec.Models.Encoders;

/// <summary>
/// SASRec (Kang and McAuley, 2018) as generative-recommenders implements it. Per block:
/// <c>q = LN(x); x = q + MHA(q, x, x); x = FFN(LN(x)) (with residual); x *= valid</c>, then a final
/// LayerNorm. With <c>causal: false</c> and GELU the same stack is BERT4Rec's bidirectional encoder.
/// </summary>
internal class SasRecEncoder : SequenceEncoder
{
    private readonly ModuleList<LayerNorm> attentionNorms = new();
    private readonly ModuleList<MultiHeadAttention> attentions = new();
    private readonly ModuleList<LayerNorm> feedForwardNorms = new();
    private readonly ModuleList<PointwiseFeedForward> feedForwards = new();
    private readonly LayerNorm finalNorm;

    public SasRecEncoder(ModelConfig config) : this(config, causal: true, nameof(SasRecEncoder))
    {
    }

    protected SasRecEncoder(ModelConfig config, bool causal, string name) : base(name)
    {
        var d = config.EmbeddingDim;
        for (var i = 0; i < config.NumBlocks; i++)
        {
            attentionNorms.Add(nn.LayerNorm(d, eps: 1e-8));
            attentions.Add(new MultiHeadAttention(d, config.NumHeads, config.Dropout, causal));
            feedForwardNorms.Add(nn.LayerNorm(d, eps: 1e-8));
            feedForwards.Add(new PointwiseFeedForward(d, config.FfnHiddenDim, config.Dropout, gelu: !causal));
        }

        finalNorm = nn.LayerNorm(d, eps: 1e-8);
        RegisterComponents();
    }

    // x: [B, N, D], valid: [B, N], timestamps: unused -> [B, N, D]
    public override Tensor forward(Tensor x, Tensor valid, Tensor? timestamps)
    {
        var mask = valid.unsqueeze(-1).to(x.dtype); // [B, N, 1]
        for (var i = 0; i < attentions.Count; i++)
        {
            var q = attentionNorms[i].forward(x);
            x = q + attentions[i].forward(q, x, valid);
            x = feedForwards[i].forward(feedForwardNorms[i].forward(x));
            x = x * mask;
        }

        return finalNorm.forward(x);
    }
}
