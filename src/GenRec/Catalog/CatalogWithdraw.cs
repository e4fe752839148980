using GenRec.Data;

namespace GenRec.Catalog;

/// <summary>
/// Withdraws items from recommendation (out of stock) or restores them, in a checkpoint's catalogue
/// (<see cref="ItemCatalog.Withdrawn"/>): the item keeps its place in the model, so a history that holds it still reads
/// it, and comes back as it was when restored. Idempotent; all or nothing (an unknown or repeated id refuses the whole
/// request and writes nothing).
/// </summary>
internal static class CatalogWithdraw
{
    /// <summary>What a withdrawal or restoration did.</summary>
    /// <param name="Changed">Items whose state changed.</param>
    /// <param name="Unchanged">Items already in the state asked for.</param>
    /// <param name="Withdrawn">Items withdrawn now, in all.</param>
    public sealed record Outcome(int Changed, int Unchanged, int Withdrawn);

    /// <param name="checkpoint">The checkpoint file.</param>
    /// <param name="dataset">Its dataset with its catalogue applied (<see cref="Checkpoints.Checkpoint.Open"/>).</param>
    /// <param name="keys">The items.</param>
    /// <param name="withdraw">True to withdraw, false to restore.</param>
    public static Outcome Run(string checkpoint, SequenceDataset dataset, IReadOnlyList<string> keys, bool withdraw)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (!seen.Add(key))
            {
                throw new ArgumentException($"item '{Util.QuotedText.Clip(key)}' appears twice");
            }

            if (!dataset.ItemIds.ContainsKey(key))
            {
                throw new ArgumentException($"item '{Util.QuotedText.Clip(key)}' is not in the served catalogue");
            }
        }

        var path = ItemCatalog.PathOf(checkpoint);
        var catalog = File.Exists(path) ? ItemCatalog.Read(path) : CatalogAdd.Empty(checkpoint, dataset.NumItems, encoder: "", ContentMappingKind.Ridge);
        var withdrawn = new List<string>(catalog.Withdrawn);
        var now = withdrawn.ToHashSet(StringComparer.Ordinal);
        var changed = keys.Count(key => withdraw ? !now.Contains(key) : now.Contains(key));
        if (changed > 0)
        {
            withdrawn = withdraw ? [.. withdrawn, .. keys.Where(k => !now.Contains(k))] : [.. withdrawn.Where(k => !seen.Contains(k))];
            (catalog with { Withdrawn = withdrawn }).Write(path);
        }

        return new Outcome(changed, keys.Count - changed, withdrawn.Count);
    }
}
