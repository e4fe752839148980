namespace GenRec.Configuration;

/// <summary>The network of a semantic-ID generator (<c>model.architecture</c>).</summary>
internal enum GenerativeArchitecture
{
    /// <summary>TIGER's T5-style encoder-decoder: the encoder reads the history, the decoder writes the next ID; one training example per target.</summary>
    EncoderDecoder,

    /// <summary>
    /// One causal stack over the history's code tokens: each token predicts the next, so the next item's codes are predicted at
    /// each item boundary and every target of a sequence is trained in one pass.
    /// </summary>
    DecoderOnly,
}
