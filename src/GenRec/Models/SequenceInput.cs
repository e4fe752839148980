using static TorchSharp.torch;

namespace GenRec.Models;

/// <summary>
/// A batch of histories for an encoder. <c>Ids</c>: [B, N] item ids, right-padded with 0.
/// <c>Timestamps</c> (optional): [B, N + 1], the time of each of the N items followed, at column
/// <c>length</c>, by the time of the prediction for the last position (the next item's time when
/// training, the request time when serving); as generative-recommenders' <c>ts[i+1] - ts[j]</c>.
/// <c>Ratings</c> (optional): [B, N] rating levels (<see cref="Preprocessors.RatingLevels"/>), for the rated preprocessors.
/// <c>UserFeatures</c> (optional): [B, F] user feature value ids (0: unknown), for models with user feature tokens.
/// </summary>
internal sealed record SequenceInput(Tensor Ids, Tensor? Timestamps = null, Tensor? Ratings = null, Tensor? UserFeatures = null);
