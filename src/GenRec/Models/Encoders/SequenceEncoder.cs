using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Models.Encoders;

/// <summary>
/// A sequence encoder: from preprocessed inputs [B, N, D], a validity mask [B, N] (true on real
/// items; right-padded) and optional timestamps [B, N + 1] (see <see cref="SequenceInput"/>) to
/// per-position user states [B, N, D]. Causal encoders make the state at position t depend only on
/// positions 0..t; bidirectional ones (BERT4Rec) see the whole sequence and are trained by cloze.
/// </summary>
internal abstract class SequenceEncoder : nn.Module<Tensor, Tensor, Tensor?, Tensor>
{
    protected SequenceEncoder(string name) : base(name)
    {
    }

    public virtual bool IsCausal => true;

    /// <summary>Whether the encoder reads timestamps (HSTU's time bias); others ignore them.</summary>
    public virtual bool UsesTimestamps => false;
}
