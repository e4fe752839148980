namespace GenRec.Configuration;

/// <summary>How a sequence becomes the encoder's input tokens (<c>model.preprocessor</c>; by default the encoder's own, see the encoder registry).</summary>
public enum PreprocessorKind
{
    /// <summary>Item embedding plus a learned position embedding (generative-recommenders' learnable positional preprocessor).</summary>
    Positional,

    /// <summary>Item embedding only (GRU4Rec).</summary>
    Plain,

    /// <summary>Positional, with the rating's embedding added to each item token.</summary>
    Rated,

    /// <summary>Items and their ratings as interleaved tokens (generative-recommenders' combined item-and-rating preprocessor).</summary>
    Interleaved,
}
