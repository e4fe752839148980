using GenRec.Serving.Indexing;

namespace GenRec.Catalog;

/// <summary>
/// A share of each answer kept for items added after training (the open catalogue's new items), the rule TIGER's paper
/// uses for unseen items (at most <c>floor(epsilon k)</c> of the top k), here for any dot-product model: a new item has
/// no interactions yet, so the model, which learned to rank what follows a history, rarely lifts it above the trained
/// items; the rule gives the best-scoring new items (by the model's own score) up to <c>floor(share k)</c> places at
/// the end of the top k, in place of the trained items that were last. New items already in the top k count towards
/// the share. With no new items, or a share of 0, the answer is the model's.
/// </summary>
internal static class NewItemSlots
{
    /// <summary>The places of a top <paramref name="k"/> kept for new items.</summary>
    public static int Slots(double share, int k) => share <= 0 ? 0 : (int)Math.Floor((share * k) + 1e-9);

    /// <param name="ranked">The model's top k (or more), best first.</param>
    /// <param name="newBest">The best-scoring new items, best first (at least <see cref="Slots"/> of them when there are that many).</param>
    /// <param name="isNew">Whether an item is a new one.</param>
    /// <returns>At most <paramref name="k"/> items, still in descending score order.</returns>
    public static ScoredItem[] Merge(IReadOnlyList<ScoredItem> ranked, IReadOnlyList<ScoredItem> newBest, Func<int, bool> isNew, int k, double share)
    {
        var top = ranked.Take(k).ToList();
        var slots = Slots(share, k);
        var missing = slots - top.Count(s => isNew(s.Item));
        if (missing <= 0)
        {
            return [.. top];
        }

        var listed = top.Select(s => s.Item).ToHashSet();
        ScoredItem[] joining = [.. newBest.Where(s => !listed.Contains(s.Item)).Take(missing)];
        if (joining.Length == 0)
        {
            return [.. top];
        }

        // The trained items that were last give way; everything kept scores at least as high as whoever joins.
        var trainedToDrop = Math.Max(0, top.Count + joining.Length - k);
        for (var i = top.Count - 1; i >= 0 && trainedToDrop > 0; i--)
        {
            if (!isNew(top[i].Item))
            {
                top.RemoveAt(i);
                trainedToDrop--;
            }
        }

        return [.. top.Concat(joining).OrderByDescending(s => s.Score).ThenBy(s => s.Item)];
    }

    /// <summary>
    /// Where the rule puts <paramref name="target"/> in a top <paramref name="k"/> made from full scores (items ranked
    /// by score, then id, as the evaluation ranks them; excluded items at -inf): its 0-based position there, or, when the
    /// list does not hold it, its place in the model's own ranking but never inside the top k.
    /// </summary>
    /// <param name="row">Scores of every item (entry 0, padding, unused).</param>
    /// <param name="modelRank">The target's rank in the model's ranking of <paramref name="row"/>.</param>
    /// <param name="newItemOrder">What orders the new items for their places (empty: <paramref name="row"/>); an item
    /// the row excludes (-inf) is never placed.</param>
    public static int RankOf(ReadOnlySpan<float> row, int target, int modelRank, Func<int, bool> isNew, int k, double share, ReadOnlySpan<float> newItemOrder = default)
    {
        if (!newItemOrder.IsEmpty && newItemOrder.Length != row.Length)
        {
            throw new ArgumentException($"the new items' order has {newItemOrder.Length} entries, the scores {row.Length}", nameof(newItemOrder));
        }

        var slots = Slots(share, k);
        if (slots == 0)
        {
            return modelRank;
        }

        var top = new List<ScoredItem>(k + 1);
        var newBest = new List<ScoredItem>(k + slots + 1);
        for (var item = 1; item < row.Length; item++)
        {
            var score = row[item];
            if (float.IsNegativeInfinity(score))
            {
                continue;
            }

            Insert(top, new ScoredItem(item, score), k);
            if (isNew(item))
            {
                Insert(newBest, new ScoredItem(item, newItemOrder.IsEmpty ? score : newItemOrder[item]), k + slots);
            }
        }

        // Those placed by another order are listed with the model's score, as the served answer lists them.
        for (var i = 0; i < newBest.Count && !newItemOrder.IsEmpty; i++)
        {
            newBest[i] = newBest[i] with { Score = row[newBest[i].Item] };
        }

        var listed = Merge(top, newBest, isNew, k, share);
        var at = Array.FindIndex(listed, s => s.Item == target);
        return at >= 0 ? at : Math.Max(modelRank, k);
    }

    // Keeps the best `size` items (score descending, then id ascending) in order.
    private static void Insert(List<ScoredItem> best, ScoredItem candidate, int size)
    {
        var at = best.Count;
        while (at > 0 && (best[at - 1].Score < candidate.Score || (best[at - 1].Score == candidate.Score && best[at - 1].Item > candidate.Item)))
        {
            at--;
        }

        if (at < size)
        {
            best.Insert(at, candidate);
            if (best.Count > size)
            {
                best.RemoveAt(best.Count - 1);
            }
        }
    }
}
