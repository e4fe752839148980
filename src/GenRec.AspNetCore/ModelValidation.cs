using GenRec.Serving;

namespace GenRec.AspNetCore;

/// <summary>
/// Checks a freshly loaded model before it is served (at a reload, and at start-up): the same dataset (name and item
/// catalogue, in order, or that catalogue with items added after it) as the served model unless a change was asked for (reloads only), finite weights, and
/// <see cref="Histories"/> seeded queries that must give finite, non-degenerate answers:
/// <list type="bullet">
/// <item>every recommendation, ranking score and ranker probability finite (probabilities within [0, 1]);</item>
/// <item>within each answer the scores are not all equal (a model whose item rows overflow scores every item alike);</item>
/// <item>across the very different histories the answers (items and scores) are not all the same (a model that ignores
/// its input answers every user alike).</item>
/// </list>
/// A model that fails is refused with 422 and the served one stays.
/// </summary>
internal static class ModelValidation
{
    /// <summary>Seeded histories per check: a single item, random items of lengths 2 to 30, and the dataset's own users.</summary>
    public const int Histories = 8;

    public static void Check(ServedModel candidate, ServedModel served, bool allowDatasetChange)
    {
        var (now, next) = (served.Engine.Dataset, candidate.Engine.Dataset);
        // Items added to the served catalogue (genrec catalog add, POST /catalog/items) keep every served id in its place.
        var grown = next.NumItems >= now.NumItems && next.ItemKeys.AsSpan(0, now.ItemKeys.Length).SequenceEqual(now.ItemKeys);
        if (!allowDatasetChange && (now.Name != next.Name || !grown))
        {
            throw new RequestException(422, $"the checkpoint's dataset '{next.Name}' ({next.NumItems:N0} items) is not the served '{now.Name}' ({now.NumItems:N0} items, same ids in the same order); send \"allow_dataset_change\": true to switch catalogues");
        }

        CheckSound(candidate);
    }

    /// <summary>Finite weights and sound answers to the seeded queries (see the type).</summary>
    public static void CheckSound(ServedModel candidate)
    {
        var (engine, ranker) = (candidate.Engine, candidate.Ranker);
        if (engine.FirstNonFiniteWeight() is { } weight)
        {
            throw new RequestException(422, $"the checkpoint's weight '{weight}' holds NaN or infinity");
        }

        if (ranker?.FirstNonFiniteWeight() is { } rankerWeight)
        {
            throw new RequestException(422, $"the ranker's weight '{rankerWeight}' holds NaN or infinity");
        }

        var data = engine.Dataset;
        var k = Math.Min(10, data.NumItems);
        var candidates = Enumerable.Range(1, Math.Min(5, data.NumItems)).ToArray();
        var answers = new List<string>();
        foreach (var history in SeededHistories(data))
        {
            var recommended = engine.Recommend(history, k, filterHistory: false);
            var ranked = engine.Rank(history, candidates);
            var probabilities = ranker?.Score(history, null, null, candidates) ?? [];
            var shown = $"after {history.Length} item(s)";
            if (recommended.Count == 0 || recommended.Any(r => !float.IsFinite(r.Score)) || ranked.Any(s => !float.IsFinite(s)))
            {
                throw new RequestException(422, $"the checkpoint's validation query ({shown}) gave no or non-finite scores");
            }

            if (probabilities.Any(p => !float.IsFinite(p) || p < 0 || p > 1))
            {
                throw new RequestException(422, $"the ranker's validation query ({shown}) gave probabilities outside [0, 1]");
            }

            if (data.NumItems > 1 && recommended.Max(r => r.Score) - recommended.Min(r => r.Score) <= 1e-6f * (1 + Math.Abs(recommended.Max(r => r.Score)))
                && ranked.Max() - ranked.Min() <= 1e-6f * (1 + Math.Abs(ranked.Max())))
            {
                throw new RequestException(422, $"the checkpoint is degenerate: every item scores {recommended[0].Score} ({shown}); its item or state vectors are unusable");
            }

            answers.Add(string.Join(",", recommended.Select(r => $"{r.Item}:{r.Score:G6}")));
        }

        if (answers.Distinct().Count() == 1)
        {
            throw new RequestException(422, $"the checkpoint is degenerate: {answers.Count} very different histories got the same answer (items and scores); it ignores its input");
        }
    }

    /// <summary>The histories of <see cref="CheckSound"/>: item 1 alone, then random items (seed 17), then up to 3 real users' last items.</summary>
    internal static IEnumerable<int[]> SeededHistories(GenRec.Data.SequenceDataset data)
    {
        var random = new Random(17);
        yield return [1];
        for (var i = 0; i < Histories - 4; i++)
        {
            yield return [.. Enumerable.Range(0, 2 + random.Next(29)).Select(_ => 1 + random.Next(data.NumItems))];
        }

        for (var i = 0; i < 3 && data.NumUsers > 0; i++)
        {
            var sequence = data.Sequences[random.Next(data.NumUsers)];
            yield return sequence.Length > 0 ? sequence[^Math.Min(50, sequence.Length)..] : [1];
        }
    }
}
