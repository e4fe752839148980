using GenRec.Models.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Models.LlmEsr;

/// <summary>
/// LLM-ESR's cross-attention between the two item views before the backbone: the ID tokens are
/// replaced by multi-head attention from the ID queries over the semantic tokens, and the semantic
/// tokens by attention from the semantic queries over the ID tokens. Causal for causal backbones
/// (position t reads the other view's positions 0..t only, so training never sees the next item;
/// the research code attends over the whole sequence), bidirectional over valid positions for BERT4Rec.
/// </summary>
internal sealed class ViewCrossAttention : nn.Module<Tensor, Tensor, Tensor, (Tensor Id, Tensor Semantic)>
{
    private readonly MultiHeadAttention semanticIntoId;
    private readonly MultiHeadAttention idIntoSemantic;

    public ViewCrossAttention(int dim, int heads, double dropout, bool causal) : base(nameof(ViewCrossAttention))
    {
        semanticIntoId = new MultiHeadAttention(dim, heads, dropout, causal);
        idIntoSemantic = new MultiHeadAttention(dim, heads, dropout, causal);
        RegisterComponents();
    }

    // idTokens, semanticTokens: [B, N, D], valid: [B, N] -> both [B, N, D], padding zeroed
    public override (Tensor Id, Tensor Semantic) forward(Tensor idTokens, Tensor semanticTokens, Tensor valid)
    {
        var mask = valid.unsqueeze(-1).to(idTokens.dtype);                             // [B, N, 1]
        var id = semanticIntoId.forward(idTokens, semanticTokens, valid) * mask;        // [B, N, D]
        var semantic = idIntoSemantic.forward(semanticTokens, idTokens, valid) * mask;  // [B, N, D]
        return (id, semantic);
    }
}
