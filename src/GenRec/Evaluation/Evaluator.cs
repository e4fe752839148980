using GenRec.Scoring;
using GenRec.Data.Splits;
using GenRec.Util;

namespace GenRec.Evaluation;

/// <summary>
/// Batched evaluation of an <see cref="IScorer"/>. Full ranking ranks the target against every
/// item (optionally without the history's items); sampled ranking against
/// <see cref="EvalOptions.SampledNegatives"/> items drawn uniformly, without repetition, from those
/// not in the user's history, with a per-user generator seeded from the options' seed. Cases are
/// scored in batches of similar history length; ranks and metrics come back in the cases' order.
/// </summary>
internal static class Evaluator
{
    public static EvalResult Evaluate(IScorer scorer, IReadOnlyList<EvalCase> cases, EvalOptions? options = null, IProgress<int>? progress = null)
    {
        options ??= new EvalOptions();
        if (options.Unranked is { } unranked && (unranked.Count != scorer.NumItems + 1 || options.SampledNegatives > 0))
        {
            throw new ArgumentException(options.SampledNegatives > 0
                ? "unranked items are for full ranking; sampled ranking draws its own negatives"
                : $"unranked items: expected {scorer.NumItems + 1} entries (by item id, entry 0 unused), got {unranked.Count}");
        }

        var width = scorer.NumItems + 1;
        int[] unrankedIds = options.Unranked is { } left ? [.. Enumerable.Range(1, scorer.NumItems).Where(i => left[i])] : []; // once per evaluation
        var ranks = new int[cases.Count];
        var scores = new float[options.BatchSize * width];
        var newItemOrder = options.NewItemRanker is null ? null : new float[options.BatchSize * width];
        var batch = new List<EvalCase>(options.BatchSize);
        var cumulativeWeights = options.NegativeWeights is { } weights ? CumulativeWeights(weights, scorer.NumItems) : null; // once per evaluation
        var order = ByHistoryLength(cases);
        for (var start = 0; start < cases.Count; start += options.BatchSize)
        {
            batch.Clear();
            for (var i = start; i < Math.Min(cases.Count, start + options.BatchSize); i++)
            {
                batch.Add(cases[order[i]]);
            }

            var span = scores.AsSpan(0, batch.Count * width);
            scorer.Score(batch, span);
            options.NewItemRanker?.Score(batch, newItemOrder.AsSpan(0, batch.Count * width));
            NativeHeap.ReleasePeriodically();
            Parallel.For(0, batch.Count, b =>
            {
                var c = batch[b];
                ValidateTarget(c, scorer.NumItems);
                var row = scores.AsSpan(b * width, width);
                ranks[order[start + b]] = options.SampledNegatives > 0
                    ? SampledRank(row, c, options, scorer.NumItems, cumulativeWeights)
                    : FullRank(row, c, options, unrankedIds, newItemOrder is null ? default : newItemOrder.AsSpan(b * width, width));
            });
            progress?.Report(batch.Count);
        }

        var acc = new MetricAccumulator(options.Ks);
        foreach (var rank in ranks)
        {
            acc.Add(rank);                                                                 // in the cases' order, whatever the batches' order
        }

        var protocol = options.SampledNegatives > 0
            ? $"sampled ({options.SampledNegatives} {(options.NegativeWeights is null ? "uniform" : "popularity-weighted")} negatives, seed {options.Seed})"
            : "full ranking" + (options.FilterHistory ? $", {options.FilterDescription}" : "");
        return new EvalResult(acc.Result(), ranks, protocol);
    }

    /// <summary>
    /// The cases' indices by history length (stable): each batch holds histories of similar length, so a model pads
    /// each batch only to lengths close to its own (on ML-1M, a batch in user order nearly always holds a 200-item
    /// history; by length, the attention's [N, N] work falls to about 41% of that).
    /// </summary>
    private static int[] ByHistoryLength(IReadOnlyList<EvalCase> cases) =>
        [.. Enumerable.Range(0, cases.Count).OrderBy(i => cases[i].History.Length)];

    private static void ValidateTarget(EvalCase c, int numItems)
    {
        if (c.Target < 1 || c.Target > numItems)
        {
            throw new ArgumentOutOfRangeException(nameof(c), $"target item {c.Target} of user {c.User} is outside 1..{numItems}");
        }
    }

    private static int FullRank(Span<float> row, EvalCase c, EvalOptions options, int[] unranked, ReadOnlySpan<float> newItemOrder)
    {
        foreach (var item in unranked)
        {
            if (item != c.Target)
            {
                row[item] = float.NegativeInfinity;
            }
        }

        var window = options.HistoryWindow;
        if (options.FilterHistory)
        {
            var history = c.History;
            foreach (var item in window > 0 && history.Length > window ? history.AsSpan(history.Length - window) : history)
            {
                if (item != c.Target)
                {
                    row[item] = float.NegativeInfinity;
                }
            }
        }

        var rank = TargetRank.RankOf(row, c.Target);
        return options.NewItems is { } isNew && options.NewItemShare > 0
            ? Catalog.NewItemSlots.RankOf(row, c.Target, rank, item => isNew[item], options.NewItemListLength, options.NewItemShare, newItemOrder)
            : rank;
    }

    private static int SampledRank(ReadOnlySpan<float> row, EvalCase c, EvalOptions options, int numItems, double[]? cumulativeWeights)
    {
        var negatives = SampleNegatives(c, options.SampledNegatives, numItems, options.Seed, cumulativeWeights);
        return TargetRank.RankAmong(row, c.Target, negatives);
    }

    // cumulative[i] = sum of the weights of items 1..i (entry 0 = 0).
    private static double[] CumulativeWeights(IReadOnlyList<double> w, int numItems)
    {
        if (w.Count != numItems + 1)
        {
            throw new ArgumentException($"negative weights: expected {numItems + 1} entries (by item id, entry 0 unused), got {w.Count}");
        }

        var cumulative = new double[numItems + 1];
        for (var i = 1; i <= numItems; i++)
        {
            cumulative[i] = cumulative[i - 1] + Math.Max(0, w[i]);
        }

        return cumulative;
    }

    /// <summary>
    /// Distinct items outside the history and target; deterministic in (seed, user). With
    /// <paramref name="cumulativeWeights"/> (running sums by item id) an item is drawn with probability
    /// proportional to its weight (then rejected if excluded or already drawn); without, uniformly.
    /// </summary>
    public static int[] SampleNegatives(EvalCase c, int count, int numItems, int seed, double[]? cumulativeWeights = null)
    {
        var excluded = new HashSet<int>(c.History) { c.Target };
        var available = cumulativeWeights is null
            ? numItems - excluded.Count(i => i >= 1 && i <= numItems)
            : Enumerable.Range(1, numItems).Count(i => cumulativeWeights[i] > cumulativeWeights[i - 1] && !excluded.Contains(i));
        count = Math.Min(count, available);
        // HashCode.Combine is randomised per process, so mix explicitly to stay reproducible across runs.
        var rng = new Random(unchecked((int)(((uint)seed * 2654435761u) ^ ((uint)c.User * 40503u + 0x5eedu))));
        var chosen = new HashSet<int>();
        var result = new int[count];
        for (var i = 0; i < count;)
        {
            var item = cumulativeWeights is null ? rng.Next(1, numItems + 1) : WeightedDraw(cumulativeWeights, rng);
            if (!excluded.Contains(item) && chosen.Add(item))
            {
                result[i++] = item;
            }
        }

        return result;
    }

    // The item whose weight interval holds a uniform draw: the first i with cumulative[i] > u.
    private static int WeightedDraw(double[] cumulative, Random rng)
    {
        var u = rng.NextDouble() * cumulative[^1];
        var (lo, hi) = (1, cumulative.Length - 1);
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (cumulative[mid] > u)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }
}
