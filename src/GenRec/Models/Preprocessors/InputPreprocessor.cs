using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Models.Preprocessors;

/// <summary>Encoder input made by a preprocessor: tokens [B, T, D], their validity [B, T] and timestamps [B, T + 1] (or null).</summary>
internal sealed record Preprocessed(Tensor Tokens, Tensor Valid, Tensor? Timestamps);

/// <summary>
/// Turns item ids (and ratings, for the rated variants) into the encoder's token sequence, as
/// generative-recommenders' input features preprocessors, and maps the encoder's token states back to
/// one state per item position.
/// </summary>
internal abstract class InputPreprocessor : nn.Module
{
    protected InputPreprocessor(string name) : base(name)
    {
    }

    /// <summary>Encoder tokens per item position (2 when items and ratings are interleaved).</summary>
    public virtual int TokensPerItem => 1;

    public virtual bool UsesRatings => false;

    // input.Ids: [B, N], itemEmbeddings: [B, N, D] -> tokens [B, T, D], valid [B, T], timestamps [B, T + 1]?
    public abstract Preprocessed Apply(SequenceInput input, Tensor itemEmbeddings);

    /// <summary>States [B, T, D] -> the state after each item [B, N, D]: the one that predicts the next item.</summary>
    public virtual Tensor SelectItemStates(Tensor states) => states;

    protected Tensor RequireRatings(SequenceInput input) =>
        input.Ratings ?? throw new InvalidOperationException($"the '{GetName()}' preprocessor needs ratings; this data has none");
}
