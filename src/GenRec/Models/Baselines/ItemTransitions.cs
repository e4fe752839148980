using GenRec.Scoring;
using GenRec.Data.Splits;

namespace GenRec.Models.Baselines;

/// <summary>
/// Item-item co-occurrence as next-item transitions: score(j | history) = the number of times j
/// directly followed the history's last item in training, plus popularity scaled below 1 to break
/// ties (so an item never seen after the last one falls back to popularity order).
/// </summary>
internal sealed class ItemTransitions : IScorer
{
    private readonly Dictionary<int, int>[] _next;
    private readonly float[] _popularityTieBreak;

    public ItemTransitions(IReadOnlyList<int[]> trainSequences, int numItems)
    {
        NumItems = numItems;
        _next = new Dictionary<int, int>[numItems + 1];
        var popularity = new MostPopular(trainSequences, numItems).Counts;
        var max = 0f;
        foreach (var c in popularity)
        {
            max = Math.Max(max, c);
        }

        _popularityTieBreak = new float[numItems + 1];
        for (var i = 0; i <= numItems; i++)
        {
            _popularityTieBreak[i] = popularity[i] / (max + 1f);
        }

        foreach (var seq in trainSequences)
        {
            for (var t = 0; t + 1 < seq.Length; t++)
            {
                var row = _next[seq[t]] ??= [];
                row[seq[t + 1]] = row.GetValueOrDefault(seq[t + 1]) + 1;
            }
        }
    }

    public int NumItems { get; }

    /// <summary>How many times <paramref name="to"/> directly followed <paramref name="from"/> in training.</summary>
    public int Count(int from, int to) => _next[from]?.GetValueOrDefault(to) ?? 0;

    public void Score(IReadOnlyList<EvalCase> batch, Span<float> scores)
    {
        var width = NumItems + 1;
        for (var b = 0; b < batch.Count; b++)
        {
            var row = scores.Slice(b * width, width);
            _popularityTieBreak.CopyTo(row);
            var history = batch[b].History;
            if (history.Length == 0 || _next[history[^1]] is not { } transitions)
            {
                continue;
            }

            foreach (var (item, count) in transitions)
            {
                row[item] += count;
            }
        }
    }
}
