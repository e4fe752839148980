namespace GenRec.Models.Tiger;

/// <summary>
/// A training example of a semantic-ID generator: a user and items, oldest first. The encoder-decoder learns the last item
/// from the others; the decoder-only model learns every item after the first from those before it, in one pass.
/// </summary>
internal sealed record GenerativeExample(int User, int[] Items)
{
    /// <summary>The items before the last (the encoder-decoder's history).</summary>
    public int[] History => Items[..^1];

    /// <summary>The last item (the encoder-decoder's target).</summary>
    public int Target => Items[^1];
}
