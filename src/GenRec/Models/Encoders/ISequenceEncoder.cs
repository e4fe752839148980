using static TorchSharp.torch;

namespace GenRec.Models.Encoders;

/// <summary>
/// A causal sequence encoder: from preprocessed inputs [B, N, D] and a validity mask [B, N]
/// (true on real items; sequences are right-padded) to per-position user states [B, N, D], where
/// the state at position t depends only on positions 0..t.
/// </summary>
internal interface ISequenceEncoder
{
    Tensor Encode(Tensor inputs, Tensor valid);
}
