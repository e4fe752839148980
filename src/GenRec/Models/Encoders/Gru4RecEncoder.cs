using GenRec.Models.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenRec.Models.Encoders;

/// <summary>
/// GRU4Rec (Hidasi et al., 2016) as a sequence encoder: a stack of GRU layers over the item
/// embeddings, then a linear map from the hidden state to the item space. Recurrent, so causal by
/// construction; right padding comes after every valid step and cannot reach it.
/// </summary>
internal sealed class Gru4RecEncoder : SequenceEncoder
{
    private readonly GRU gru;
    private readonly Linear output;
    private readonly FastDropout dropout;

    public Gru4RecEncoder(ModelConfig config) : base(nameof(Gru4RecEncoder))
    {
        var hidden = config.GruHiddenDim ?? config.EmbeddingDim;
        gru = nn.GRU(config.EmbeddingDim, hidden, config.NumBlocks, batchFirst: true, dropout: config.NumBlocks > 1 ? config.Dropout : 0.0);
        dropout = new FastDropout(config.Dropout);
        output = nn.Linear(hidden, config.EmbeddingDim);
        RegisterComponents();
    }

    // x: [B, N, D], valid: [B, N] -> [B, N, D]
    public override Tensor forward(Tensor x, Tensor valid, Tensor? timestamps)
    {
        var (states, _) = gru.forward(x, null);                            // [B, N, H]
        var projected = output.forward(dropout.forward(states));           // [B, N, D]
        return projected * valid.unsqueeze(-1).to(projected.dtype);
    }
}
