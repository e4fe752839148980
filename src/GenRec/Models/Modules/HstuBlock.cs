using GenRec.Compute;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenRec.Models.Modules;

/// <summary>
/// One HSTU layer (Zhai et al., 2024, "Actions Speak Louder than Words"), as the research code's
/// <c>SequentialTransductionUnitJagged</c>:
/// <code>
/// n          = LayerNorm(x)                       (no affine, eps 1e-6)
/// u, v, q, k = split(SiLU(n W_uvqk))              (no bias, W ~ N(0, 0.02))
/// A          = SiLU(q k^T + rab) / divisor  * causal mask   (pointwise: no softmax, no 1/sqrt(d))
/// y          = x + W_o(Dropout(u * LayerNorm(A v)))
/// </code>
/// The divisor is the maximum sequence length (the research code's padded length) or each user's
/// own length.
/// </summary>
internal sealed class HstuBlock : nn.Module<Tensor, Tensor, Tensor?, Tensor>
{
    private readonly Parameter uvqk;
    private readonly Linear output;
    private readonly FastDropout dropout;
    private readonly RelativeAttentionBias? bias;
    private readonly int heads;
    private readonly int attentionDim;
    private readonly int linearDim;
    private readonly int maxLength;
    private readonly bool divideByUserLength;

    public HstuBlock(int dim, int heads, int attentionDim, int linearDim, double dropoutRate, int maxLength, RelativeAttentionBias? bias, bool divideByUserLength) : base(nameof(HstuBlock))
    {
        this.heads = heads;
        this.attentionDim = attentionDim;
        this.linearDim = linearDim;
        this.maxLength = maxLength;
        this.divideByUserLength = divideByUserLength;
        this.bias = bias;
        uvqk = nn.Parameter(normal(0, 0.02, [dim, (2 * heads * linearDim) + (2 * heads * attentionDim)]));
        output = nn.Linear(heads * linearDim, dim);
        using (no_grad())
        {
            nn.init.xavier_uniform_(output.weight!);
        }

        dropout = new FastDropout(dropoutRate);
        RegisterComponents();
    }

    // x: [B, N, D], valid: [B, N] bool, timestamps: [B, N + 1] or null -> [B, N, D]
    public override Tensor forward(Tensor x, Tensor valid, Tensor? timestamps)
    {
        var (b, n) = (x.shape[0], x.shape[1]);
        var rab = bias?.Compute(n, timestamps, x.device);                                   // [B|1, N, N]?

        // Causal and padding mask: query i attends to valid keys j <= i.
        var allowed = ones(n, n, dtype: @bool, device: x.device).tril().unsqueeze(0).logical_and(valid.unsqueeze(1)); // [B, N, N]
        var divisor = divideByUserLength
            ? valid.sum(1).clamp_min(1).to(x.dtype).view(b, 1, 1, 1)                      // [B, 1, 1, 1]
            : full(1, maxLength, dtype: x.dtype, device: x.device);
        return Attend(x, allowed, rab, divisor);
    }

    /// <summary>
    /// The block with an explicit attention pattern: <paramref name="allowed"/> [B|1, T, T] (query i
    /// may read key j), bias [B|1, T, T] or null, divisor broadcastable to [B, H, T, T]. Used by the
    /// ranking model, whose candidates read the history and themselves but not each other.
    /// </summary>
    public Tensor Attend(Tensor x, Tensor allowed, Tensor? rab, Tensor divisor)
    {
        var (b, n, d) = (x.shape[0], x.shape[1], x.shape[2]);
        var normed = nn.functional.layer_norm(x, [d], eps: 1e-6);                          // [B, N, D]
        var projected = nn.functional.silu(MixedPrecision.MatMul(normed, uvqk));                           // [B, N, 2 H dv + 2 H dqk]
        var parts = projected.split([heads * linearDim, heads * linearDim, heads * attentionDim, heads * attentionDim], dim: -1);
        var (u, v, q, k) = (parts[0], parts[1], parts[2], parts[3]);                       // [B, N, H*dv] x2, [B, N, H*dqk] x2
        var qh = q.view(b, n, heads, attentionDim).transpose(1, 2);                        // [B, H, N, dqk]
        var kh = k.view(b, n, heads, attentionDim).transpose(1, 2);                        // [B, H, N, dqk]
        var vh = v.view(b, n, heads, linearDim).transpose(1, 2);                           // [B, H, N, dv]

        var logits = qh.matmul(kh.transpose(2, 3));                                        // [B, H, N, N]
        if (rab is not null)
        {
            logits = logits + rab.unsqueeze(1);                                            // + [B|1, 1, N, N]
        }

        var attention = WideRangeSilu.Apply(logits) / divisor * allowed.unsqueeze(1).to(x.dtype); // [B, H, N, N]
        var attended = attention.matmul(vh).transpose(1, 2).reshape(b, n, heads * linearDim);   // [B, N, H*dv]
        var gated = u * nn.functional.layer_norm(attended, [heads * linearDim], eps: 1e-6);    // [B, N, H*dv]
        return x + output.Apply(dropout.forward(gated));                                     // [B, N, D]
    }
}
