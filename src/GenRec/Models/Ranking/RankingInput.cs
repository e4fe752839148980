using GenRec.Compute;
using static TorchSharp.torch;

namespace GenRec.Models.Ranking;

/// <summary>
/// Input of <see cref="HstuRanker"/>. History: <c>Ids</c> [B, N] (right-padded with 0), <c>Actions</c>
/// [B, N] action levels (1..10 rating levels, or 1 = engaged for order-only data), <c>Times</c> [B, N]
/// or null. Candidates: <c>Candidates</c> [B, M] (0 = none), <c>Prefix</c> [B, M] how many history
/// items each candidate may see (its slot in the sequence: N for serving, t for the t-th step when
/// training), <c>CandidateTimes</c> [B, M] or null. <c>UserFeatures</c> [B, F] (0: unknown) for a model with user feature tokens.
/// </summary>
internal sealed record RankingInput(Tensor Ids, Tensor Actions, Tensor? Times, Tensor Candidates, Tensor Prefix, Tensor? CandidateTimes, Tensor? UserFeatures = null)
{
    /// <summary>The input on the device (itself when it is there already).</summary>
    public RankingInput To(Device device) => Ids.device == device ? this
        : new(Ids.ToDevice(device), Actions.ToDevice(device), Times.ToDevice(device), Candidates.ToDevice(device), Prefix.ToDevice(device), CandidateTimes.ToDevice(device), UserFeatures.ToDevice(device));

    /// <summary>
    /// B histories (right-padded to the longest) with each row's candidates placed after its whole
    /// history, at the row's request time; with <paramref name="timed"/> false no times are passed.
    /// Serving (one history, a micro-batch of candidates) and evaluation (many users) both build it here.
    /// </summary>
    public static RankingInput AfterHistories(IReadOnlyList<RankingHistory> histories, IReadOnlyList<int[]> candidates, IReadOnlyList<long> requestTimes, bool timed, int userFeatures = 0)
    {
        var b = histories.Count;
        var n = Math.Max(1, histories.Max(h => h.Length));
        var m = candidates.Max(c => c.Length);
        var ids = new long[b * n];
        var actions = new long[b * n];
        var times = new long[b * n];
        var items = new long[b * m];
        var prefix = new long[b * m];
        var candidateTimes = new long[b * m];
        for (var row = 0; row < b; row++)
        {
            var h = histories[row];
            for (var t = 0; t < h.Length; t++)
            {
                ids[(row * n) + t] = h.Items[t];
                actions[(row * n) + t] = h.Actions[t];
                times[(row * n) + t] = h.Times?[t] ?? 0;
            }

            for (var c = 0; c < candidates[row].Length; c++)
            {
                items[(row * m) + c] = candidates[row][c];
                prefix[(row * m) + c] = h.Length;
                candidateTimes[(row * m) + c] = requestTimes[row];
            }
        }

        return new RankingInput(
            tensor(ids).view(b, n), tensor(actions).view(b, n), timed ? tensor(times).view(b, n) : null,
            tensor(items).view(b, m), tensor(prefix).view(b, m), timed ? tensor(candidateTimes).view(b, m) : null,
            RankingHistory.FeatureTensor(histories, userFeatures));
    }
}
