using GenRec.Compute;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Models.Modules;

/// <summary>
/// Softmax multi-head attention, as <c>torch.nn.MultiheadAttention</c>. Causal (SASRec: position i
/// sees positions 0..i) or bidirectional over the valid positions (BERT4Rec). Queries and keys/values
/// come from separate inputs so SASRec can query with the LayerNorm'd sequence.
/// </summary>
internal sealed class MultiHeadAttention : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Linear queryProjection;
    private readonly TorchSharp.Modules.Linear keyProjection;
    private readonly TorchSharp.Modules.Linear valueProjection;
    private readonly TorchSharp.Modules.Linear outputProjection;
    private readonly FastDropout attentionDropout;
    private readonly int heads;
    private readonly bool causal;

    /// <param name="projectionBias">Biases on the query, key and value projections (the output projection always has one).</param>
    public MultiHeadAttention(int dim, int heads, double dropoutRate, bool causal = true, bool projectionBias = true) : base(nameof(MultiHeadAttention))
    {
        if (dim % heads != 0)
        {
            throw new ArgumentException($"embedding dim {dim} is not divisible by {heads} heads");
        }

        this.heads = heads;
        attentionDropout = new FastDropout(dropoutRate);
        this.causal = causal;
        queryProjection = nn.Linear(dim, dim, hasBias: projectionBias);
        keyProjection = nn.Linear(dim, dim, hasBias: projectionBias);
        valueProjection = nn.Linear(dim, dim, hasBias: projectionBias);
        outputProjection = nn.Linear(dim, dim);
        RegisterComponents();
    }

    /// <summary>
    /// Initialisation as generative-recommenders' SASRec leaves torch's MultiheadAttention: Xavier-normal
    /// weights, q, k and v counted as the one [3D, D] matrix torch stores (std <c>sqrt(2 / (D + 3D))</c>),
    /// the output projection <c>sqrt(2 / 2D)</c>; biases zero (torch's own reset; Xavier skips 1-D tensors).
    /// </summary>
    public void ResetLikeTorchMultiheadAttention()
    {
        using var _ = no_grad();
        var d = queryProjection.weight!.shape[1];
        foreach (var projection in new[] { queryProjection, keyProjection, valueProjection })
        {
            projection.weight!.normal_(0, Math.Sqrt(2.0 / (d + (3 * d))));
            projection.bias?.zero_();
        }

        outputProjection.weight!.normal_(0, Math.Sqrt(2.0 / (2 * d)));
        outputProjection.bias?.zero_();
    }

    // query: [B, N, D], keyValue: [B, N, D], valid: [B, N] -> [B, N, D]
    public override Tensor forward(Tensor query, Tensor keyValue, Tensor valid)
    {
        var (b, n, d) = (query.shape[0], query.shape[1], query.shape[2]);
        Tensor SplitHeads(Tensor x) => x.view(b, n, heads, d / heads).transpose(1, 2); // [B, H, N, D/H]
        var q = SplitHeads(queryProjection.Apply(query));
        var k = SplitHeads(keyProjection.Apply(keyValue));
        var v = SplitHeads(valueProjection.Apply(keyValue));
        // Explicit softmax attention rather than scaled_dot_product_attention: the fused CPU kernel's
        // attention dropout uses the slow Bernoulli sampler and dominated the SASRec step.
        var logits = q.matmul(k.transpose(2, 3)) / Math.Sqrt(d / heads);                         // [B, H, N, N]
        // Causally, a query sees the valid keys up to itself, and itself (so that a row without a valid key, e.g. an unknown
        // user feature before the items, stays finite; such rows are zeroed by the encoder). Right padding never reaches a
        // valid query either way. Bidirectionally, padded keys are masked.
        var allowed = causal
            ? ones(n, n, dtype: ScalarType.Bool, device: query.device).tril().view(1, 1, n, n)
                .logical_and(valid.view(b, 1, 1, n).logical_or(eye(n, dtype: ScalarType.Bool, device: query.device).view(1, 1, n, n)))
            : valid.view(b, 1, 1, n);
        var weights = attentionDropout.forward(logits.masked_fill(allowed.logical_not(), double.NegativeInfinity).softmax(-1));
        var attended = weights.matmul(v);                                                          // [B, H, N, D/H]
        return outputProjection.Apply(attended.transpose(1, 2).reshape(b, n, d));
    }
}
