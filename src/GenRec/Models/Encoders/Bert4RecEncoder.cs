using GenRec.Configuration;
namespace GenRec.Models.Encoders;

/// <summary>
/// BERT4Rec (Sun et al., 2019): the SASRec transformer stack without the causal mask (every position
/// attends to every valid position) and with GELU feed-forwards. Trained by cloze: random positions
/// are replaced by a [mask] token and predicted; at inference a [mask] is appended to the history and
/// its state is the user representation.
/// </summary>
internal sealed class Bert4RecEncoder : SasRecEncoder
{
    public Bert4RecEncoder(ModelConfig config) : base(config, causal: false, nameof(Bert4RecEncoder))
    {
    }

    public override bool IsCausal => false;
}
