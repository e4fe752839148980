using GenRec.Configuration;
using GenRec.Models.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenRec.Models.Encoders;

/// <summary>
/// GRU4Rec (Hidasi et al., 2016) as a sequence encoder: a stack of GRU layers over the item embeddings,
/// <c>h_t = GRU(x_t, h_{t-1})</c>. Recurrent, so causal by construction; right padding comes after every valid step
/// and cannot reach it. Two variants:
/// <list type="bullet">
/// <item><c>gru4rec</c> (GenRec's): dropout on the states, then a linear map from the hidden state to the item space,
/// <c>s_t = W dropout(h_t) + b</c>.</item>
/// <item><c>gru4rec_reference</c>, as LLM-ESR's research code builds it (models/GRU4Rec.py, <c>GRU4RecBackbone</c>):
/// a GRU without biases whose weights start Xavier-normal (<c>BaseSeqModel._init_weights</c>), and the hidden state
/// itself as the user state, <c>s_t = h_t</c> (no dropout, no output layer; the hidden width is the embedding width).</item>
/// </list>
/// </summary>
internal sealed class Gru4RecEncoder : SequenceEncoder
{
    private readonly GRU gru;
    private readonly Linear? output;
    private readonly FastDropout? dropout;

    public Gru4RecEncoder(ModelConfig config, bool reference = false) : base(nameof(Gru4RecEncoder))
    {
        var hidden = config.GruHiddenDim ?? config.EmbeddingDim;
        if (reference && hidden != config.EmbeddingDim)
        {
            throw new ArgumentException($"gru4rec_reference: the hidden state is the user state, so gru_hidden_dim ({hidden}) must equal embedding_dim ({config.EmbeddingDim})");
        }

        gru = nn.GRU(config.EmbeddingDim, hidden, config.NumBlocks, bias: !reference, batchFirst: true, dropout: config.NumBlocks > 1 && !reference ? config.Dropout : 0.0);
        if (reference)
        {
            using var noGrad = no_grad();
            foreach (var (_, weight) in gru.named_parameters())
            {
                nn.init.xavier_normal_(weight);
            }
        }
        else
        {
            dropout = new FastDropout(config.Dropout);
            output = nn.Linear(hidden, config.EmbeddingDim);
        }

        RegisterComponents();
    }

    // x: [B, N, D], valid: [B, N] -> [B, N, D]
    public override Tensor forward(Tensor x, Tensor valid, Tensor? timestamps)
    {
        var (states, _) = gru.forward(x, null);                            // [B, N, H], batch-first strides: not contiguous
        // The output layer writes a contiguous [B, N, D]; without it the states are made so (callers flatten them with view).
        var projected = output is null ? states.contiguous() : output.forward(dropout!.forward(states)); // [B, N, D]
        return projected * valid.unsqueeze(-1).to(projected.dtype);
    }
}
