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

    /// <summary>
    /// RPG (Hou et al., KDD 2025): long unordered IDs (product quantisation), one token per item (the mean of its codes'
    /// embeddings) in a causal stack, and every code of the next item predicted at once by its own head; an item scores
    /// the mean log-probability of its codes, found exactly over the catalogue or by a graph search over the IDs.
    /// </summary>
    ParallelCodes,
}
