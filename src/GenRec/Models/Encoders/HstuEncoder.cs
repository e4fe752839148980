using GenRec.Configuration;
using GenRec.Models.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenRec.Models.Encoders;

/// <summary>
/// HSTU encoder: a stack of <see cref="HstuBlock"/>s, each with its own relative attention bias
/// (position term, and time term when timestamps are given), padding re-zeroed after each block,
/// no final norm (the output postprocessor follows), as generative-recommenders' research HSTU.
/// </summary>
internal sealed class HstuEncoder : SequenceEncoder
{
    private readonly ModuleList<HstuBlock> blocks = new();
    private readonly bool usesTimestamps;

    public HstuEncoder(ModelConfig config) : base(nameof(HstuEncoder))
    {
        var attentionDim = config.AttentionDim ?? (config.EmbeddingDim / config.NumHeads);
        var linearDim = config.LinearDim ?? (config.EmbeddingDim / config.NumHeads);
        if (attentionDim < 1 || linearDim < 1)
        {
            // Per-head widths of 0 would reach libtorch's initialisers as an infinite bound: refused here with the fields named.
            throw new ArgumentException($"model: attention_dim {attentionDim} and linear_dim {linearDim} per head must be at least 1 (embedding_dim {config.EmbeddingDim} / num_heads {config.NumHeads} when not set)");
        }

        for (var i = 0; i < config.NumBlocks; i++)
        {
            var bias = config.RelativePositionBias || config.TimeBucketing != TimeBuckets.None
                ? new RelativeAttentionBias(config.MaxSequenceLength, config.RelativePositionBias, config.TimeBucketing, config.NumTimeBuckets)
                : null;
            usesTimestamps |= bias?.UsesTimestamps ?? false;
            blocks.Add(new HstuBlock(config.EmbeddingDim, config.NumHeads, attentionDim, linearDim, config.Dropout, config.MaxSequenceLength, bias, config.AttentionDivisor == AttentionDivisor.UserLength));
        }

        RegisterComponents();
    }

    public override bool UsesTimestamps => usesTimestamps;

    // x: [B, N, D], valid: [B, N], timestamps: [B, N + 1] or null -> [B, N, D]
    public override Tensor forward(Tensor x, Tensor valid, Tensor? timestamps)
    {
        var mask = valid.unsqueeze(-1).to(x.dtype); // [B, N, 1]
        foreach (var block in blocks)
        {
            x = block.forward(x, valid, timestamps) * mask;
        }

        return x;
    }
}
