using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Models.Modules;

/// <summary>
/// Softmax multi-head attention with a causal mask (position i sees positions 0..i), as
/// <c>torch.nn.MultiheadAttention</c> with SASRec's causal <c>attn_mask</c>. Queries and keys/values
/// come from separate inputs so SASRec can query with the LayerNorm'd sequence.
/// </summary>
internal sealed class CausalMultiHeadAttention : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Linear queryProjection;
    private readonly TorchSharp.Modules.Linear keyProjection;
    private readonly TorchSharp.Modules.Linear valueProjection;
    private readonly TorchSharp.Modules.Linear outputProjection;
    private readonly int heads;
    private readonly double dropoutRate;

    public CausalMultiHeadAttention(int dim, int heads, double dropoutRate) : base(nameof(CausalMultiHeadAttention))
    {
        if (dim % heads != 0)
        {
            throw new ArgumentException($"embedding dim {dim} is not divisible by {heads} heads");
        }

        this.heads = heads;
        this.dropoutRate = dropoutRate;
        queryProjection = nn.Linear(dim, dim);
        keyProjection = nn.Linear(dim, dim);
        valueProjection = nn.Linear(dim, dim);
        outputProjection = nn.Linear(dim, dim);
        RegisterComponents();
    }

    // query: [B, N, D], keyValue: [B, N, D] -> [B, N, D]
    public override Tensor forward(Tensor query, Tensor keyValue)
    {
        var (b, n, d) = (query.shape[0], query.shape[1], query.shape[2]);
        Tensor SplitHeads(Tensor x) => x.view(b, n, heads, d / heads).transpose(1, 2); // [B, H, N, D/H]
        var q = SplitHeads(queryProjection.forward(query));
        var k = SplitHeads(keyProjection.forward(keyValue));
        var v = SplitHeads(valueProjection.forward(keyValue));
        var attended = nn.functional.scaled_dot_product_attention(q, k, v, p: training ? dropoutRate : 0.0, is_casual: true); // [B, H, N, D/H]
        return outputProjection.forward(attended.transpose(1, 2).reshape(b, n, d));
    }
}
