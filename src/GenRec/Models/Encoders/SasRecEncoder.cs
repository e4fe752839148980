using GenRec.Configuration;
using GenRec.Models.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenRec.Models.Encoders;

/// <summary>
/// SASRec (Kang and McAuley, 2018). Per block:
/// <c>q = LN(x); x = q + MHA(q, x, x); x = FFN(LN(x)) (with residual); x *= valid</c>. Two variants:
/// <list type="bullet">
/// <item><c>sasrec</c>, as generative-recommenders' research code builds it
/// (research/modeling/sequential/sasrec.py, <c>SASRec._run_one_layer</c> and <c>reset_state</c>): the
/// norms are <c>F.layer_norm</c> without scale or shift, there is no final norm, and every weight matrix
/// is Xavier-normal (q, k and v as the one [3D, D] matrix torch's MultiheadAttention holds: std
/// <c>sqrt(2 / 4D)</c>; the FFN's kernel-1 convolutions <c>sqrt(2 / (D + H))</c>), attention biases zero;</item>
/// <item><c>sasrec_affine</c>, the SASRec.pytorch layout GenRec had first: affine norms, a final affine
/// LayerNorm, TorchSharp's default initialisation.</item>
/// </list>
/// With <c>causal: false</c> and GELU the affine stack is BERT4Rec's bidirectional encoder.
/// </summary>
internal class SasRecEncoder : SequenceEncoder
{
    private readonly ModuleList<LayerNorm> attentionNorms = new();
    private readonly ModuleList<MultiHeadAttention> attentions = new();
    private readonly ModuleList<LayerNorm> feedForwardNorms = new();
    private readonly ModuleList<PointwiseFeedForward> feedForwards = new();
    private readonly LayerNorm? finalNorm;

    /// <param name="reference">The research code's variant (<c>sasrec</c>); false: <c>sasrec_affine</c>.</param>
    public SasRecEncoder(ModelConfig config, bool reference) : this(config, causal: true, nameof(SasRecEncoder), affine: !reference)
    {
        if (reference)
        {
            foreach (var attention in attentions)
            {
                attention.ResetLikeTorchMultiheadAttention();
            }

            foreach (var feedForward in feedForwards)
            {
                feedForward.ResetXavierNormal();
            }
        }
    }

    protected SasRecEncoder(ModelConfig config, bool causal, string name, bool affine = true) : base(name)
    {
        var d = config.EmbeddingDim;
        for (var i = 0; i < config.NumBlocks; i++)
        {
            attentionNorms.Add(nn.LayerNorm(d, eps: 1e-8, elementwise_affine: affine));
            attentions.Add(new MultiHeadAttention(d, config.NumHeads, config.Dropout, causal));
            feedForwardNorms.Add(nn.LayerNorm(d, eps: 1e-8, elementwise_affine: affine));
            feedForwards.Add(new PointwiseFeedForward(d, config.FfnHiddenDim, config.Dropout, gelu: !causal));
        }

        finalNorm = affine ? nn.LayerNorm(d, eps: 1e-8) : null;
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

        return finalNorm?.forward(x) ?? x;
    }
}
