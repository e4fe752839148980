using GenRec.Models.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Models.Preprocessors;

/// <summary>
/// generative-recommenders' <c>CombinedItemAndRatingInputFeaturesPreprocessor</c>: items and their
/// ratings become separate tokens, interleaved <c>[item_1, rating_1, item_2, rating_2, ...]</c> (2N
/// tokens) with <c>x * sqrt(D) + pos_emb</c> over 2N positions, dropout, padding zeroed. The state
/// after rating t (token 2t + 1) has seen item t and how it was rated, and predicts item t + 1.
/// Both tokens of an item carry its timestamp.
/// </summary>
internal sealed class InterleavedItemRatingPreprocessor : InputPreprocessor
{
    private readonly TorchSharp.Modules.Embedding positions;
    private readonly TorchSharp.Modules.Embedding ratings;
    private readonly FastDropout dropout;
    private readonly double scale;

    public InterleavedItemRatingPreprocessor(int maxLength, int dim, double dropoutRate) : base("interleaved")
    {
        positions = nn.Embedding(2 * maxLength, dim);
        ratings = nn.Embedding(RatingLevels.Count + 1, dim, padding_idx: 0);
        using (no_grad())
        {
            TruncatedNormal.Fill(positions.weight!, mean: 0, std: 0.02, a: -0.04, b: 0.04);
            TruncatedNormal.Fill(ratings.weight!, mean: 0, std: 0.02, a: -0.04, b: 0.04);
            ratings.weight![0].zero_();
        }

        dropout = new FastDropout(dropoutRate);
        scale = Math.Sqrt(dim);
        RegisterComponents();
    }

    public override int TokensPerItem => 2;

    public override bool UsesRatings => true;

    // ids: [B, N], itemEmbeddings: [B, N, D] -> tokens [B, 2N, D], valid [B, 2N], timestamps [B, 2N + 1]?
    public override Preprocessed Apply(SequenceInput input, Tensor itemEmbeddings)
    {
        var (b, n, d) = (itemEmbeddings.shape[0], itemEmbeddings.shape[1], itemEmbeddings.shape[2]);
        var ratingEmbeddings = ratings.forward(RequireRatings(input));                                  // [B, N, D]
        var tokens = stack([itemEmbeddings, ratingEmbeddings], dim: 2).view(b, 2 * n, d) * scale;      // [B, 2N, D]
        using var positionIds = arange(2 * n, device: itemEmbeddings.device);
        tokens = dropout.forward(tokens + positions.forward(positionIds).unsqueeze(0));
        var valid = input.Ids.ne(0).repeat_interleave(2, dim: 1);                                      // [B, 2N]
        Tensor? timestamps = null;
        if (input.Timestamps is { } ts)
        {
            // token k carries ts[k / 2]; the last column (k = 2N) is the query time ts[N]
            timestamps = ts.index_select(1, arange(2 * n + 1, device: ts.device).div(2, rounding_mode: RoundingMode.floor)); // [B, 2N + 1]
        }

        return new Preprocessed(tokens * valid.unsqueeze(-1).to(tokens.dtype), valid, timestamps);
    }

    // states [B, 2N, D] -> [B, N, D]: the rating tokens' states
    public override Tensor SelectItemStates(Tensor states) => states[.., TensorIndex.Slice(1, null, 2)];
}
