using GenRec.Serving;

namespace GenRec.Hosting;

/// <summary>
/// Checks a freshly loaded model before it replaces the served one: the same dataset (name and item
/// catalogue, in order) unless a change was asked for, finite weights, and a smoke query (one
/// recommendation and one ranking, and the ranker's probabilities) with finite scores. A model that
/// fails is refused with 422 and the served one stays.
/// </summary>
internal static class ModelValidation
{
    public static void Check(ServedModel candidate, ServedModel served, bool allowDatasetChange)
    {
        var (engine, ranker) = (candidate.Engine, candidate.Ranker);
        var (now, next) = (served.Engine.Dataset, engine.Dataset);
        if (!allowDatasetChange && (now.Name != next.Name || !now.ItemKeys.AsSpan().SequenceEqual(next.ItemKeys)))
        {
            throw new RequestException(422, $"the checkpoint's dataset '{next.Name}' ({next.NumItems:N0} items) is not the served '{now.Name}' ({now.NumItems:N0} items, same ids in the same order); send \"allow_dataset_change\": true to switch catalogues");
        }

        if (engine.FirstNonFiniteWeight() is { } weight)
        {
            throw new RequestException(422, $"the checkpoint's weight '{weight}' holds NaN or infinity");
        }

        if (ranker?.FirstNonFiniteWeight() is { } rankerWeight)
        {
            throw new RequestException(422, $"the ranker's weight '{rankerWeight}' holds NaN or infinity");
        }

        int[] history = [1];
        var candidates = Enumerable.Range(1, Math.Min(5, next.NumItems)).ToArray();
        var recommended = engine.Recommend(history, Math.Min(10, next.NumItems), filterHistory: false);
        var ranked = engine.Rank(history, candidates);
        var probabilities = ranker?.Score(history, [5f], [0L], candidates) ?? [];
        if (recommended.Count == 0 || recommended.Any(r => !float.IsFinite(r.Score)) || ranked.Any(s => !float.IsFinite(s)) || probabilities.Any(p => !float.IsFinite(p)))
        {
            throw new RequestException(422, "the checkpoint's smoke query (recommend and rank after one item) gave no or non-finite scores");
        }
    }
}
