using GenRec.Configuration;
using GenRec.Models.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Models.LlmEsr;

/// <summary>
/// LLM-ESR's cross-attention between the two item views before the backbone, as the official code
/// wires it (liuqidong07/LLM-ESR, models/DualLLMSRS.py:75-76 and models/utils.py:106-133,
/// <c>Multi_CrossAttention.forward(x, y)</c>: queries from x, keys and values from y, no residual):
/// <code>
/// id'       = MHA(q = semantic, k = v = id)        (llm2id(llm, id))
/// semantic' = MHA(q = id,       k = v = semantic)  (id2llm(id, llm))
/// </code>
/// Each branch keeps its own view's values; the other view only sets the attention weights, so the
/// ID branch is still a mixture of ID embeddings. <c>values: "other"</c> reverses it (the earlier
/// wiring, for the ablation). No dropout and no query/key/value biases by default, as the official
/// module, and no residual (the official code weights it 0; <c>cross_attention_residual</c> adds it, for the
/// ablation). Causal for causal backbones (position t reads positions 0..t only, so training never sees the next
/// item; the official code masks padding only), bidirectional over valid positions for BERT4Rec.
/// </summary>
internal sealed class ViewCrossAttention : nn.Module<Tensor, Tensor, Tensor, (Tensor Id, Tensor Semantic)>
{
    private readonly MultiHeadAttention idBranch;
    private readonly MultiHeadAttention semanticBranch;
    private readonly bool ownValues;
    private readonly bool residual;

    public ViewCrossAttention(int dim, SemanticViewConfig view, bool causal) : base(nameof(ViewCrossAttention))
    {
        ownValues = view.CrossAttentionValues == CrossAttentionValues.Own;
        residual = view.CrossAttentionResidual;
        idBranch = new MultiHeadAttention(dim, view.CrossAttentionHeads, view.CrossAttentionDropout, causal, view.CrossAttentionBias);
        semanticBranch = new MultiHeadAttention(dim, view.CrossAttentionHeads, view.CrossAttentionDropout, causal, view.CrossAttentionBias);
        RegisterComponents();
    }

    /// <summary>Whether each branch's values come from its own view (the official wiring).</summary>
    public bool OwnValues => ownValues;

    // idTokens, semanticTokens: [B, N, D], valid: [B, N] -> both [B, N, D], padding zeroed
    public override (Tensor Id, Tensor Semantic) forward(Tensor idTokens, Tensor semanticTokens, Tensor valid)
    {
        var mask = valid.unsqueeze(-1).to(idTokens.dtype);                                                 // [B, N, 1]
        var id = ownValues
            ? idBranch.forward(semanticTokens, idTokens, valid)                                            // text queries, ID keys and values
            : idBranch.forward(idTokens, semanticTokens, valid);                                           // ID queries, text keys and values
        var semantic = ownValues
            ? semanticBranch.forward(idTokens, semanticTokens, valid)                                      // ID queries, text keys and values
            : semanticBranch.forward(semanticTokens, idTokens, valid);
        if (residual)
        {
            (id, semantic) = (id + idTokens, semantic + semanticTokens);                                   // each view keeps its own token too
        }

        return (id * mask, semantic * mask);
    }
}
