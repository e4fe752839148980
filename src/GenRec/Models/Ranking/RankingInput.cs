using static TorchSharp.torch;

namespace GenRec.Models.Ranking;

/// <summary>
/// Input of <see cref="HstuRanker"/>. History: <c>Ids</c> [B, N] (right-padded with 0), <c>Actions</c>
/// [B, N] action levels (1..10 rating levels, or 1 = engaged for order-only data), <c>Times</c> [B, N]
/// or null. Candidates: <c>Candidates</c> [B, M] (0 = none), <c>Prefix</c> [B, M] how many history
/// items each candidate may see (its slot in the sequence: N for serving, t for the t-th step when
/// training), <c>CandidateTimes</c> [B, M] or null.
/// </summary>
internal sealed record RankingInput(Tensor Ids, Tensor Actions, Tensor? Times, Tensor Candidates, Tensor Prefix, Tensor? CandidateTimes);
