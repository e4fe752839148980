namespace GenRec.Models.SemanticIds;

/// <summary>
/// Each item's semantic ID: the RQ-VAE codes (one per level) plus a last code that tells apart items
/// whose codes collide (0, 1, 2, ... in dense-id order within a collision group, as TIGER), so every
/// item's ID is unique. Row i is dense item i (row 0, padding, is unused).
/// </summary>
internal sealed class SemanticIdTable
{
    private SemanticIdTable(int[][] ids, int codebookSize, int collisionCodes)
    {
        Ids = ids;
        CodebookSize = codebookSize;
        CollisionCodes = collisionCodes;
    }

    public int[][] Ids { get; }

    /// <summary>Codewords per RQ-VAE level.</summary>
    public int CodebookSize { get; }

    /// <summary>Values the last (collision) code takes: the largest collision group's size.</summary>
    public int CollisionCodes { get; }

    public int Length => Ids.Length > 1 ? Ids[1].Length : 0;

    /// <summary>
    /// codes[i - 1] = RQ-VAE codes of item i (i = 1..N) -> table with the collision code appended. Items of
    /// <paramref name="arrivedLater"/> (dense ids) take their collision codes after every other item, as an item added
    /// to a trained catalogue does: the next free code at its RQ-VAE codes, so no earlier item's ID changes.
    /// </summary>
    public static SemanticIdTable FromCodes(IReadOnlyList<int[]> codes, int codebookSize, IReadOnlySet<int>? arrivedLater = null)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var ids = new int[codes.Count + 1][];
        ids[0] = [];
        var largest = 1;
        var first = Enumerable.Range(1, codes.Count).Where(i => arrivedLater?.Contains(i) != true);
        var later = Enumerable.Range(1, codes.Count).Where(i => arrivedLater?.Contains(i) == true);
        foreach (var item in first.Concat(later))
        {
            var key = string.Join(',', codes[item - 1]);
            var rank = seen.TryGetValue(key, out var count) ? count : 0;
            seen[key] = rank + 1;
            largest = Math.Max(largest, rank + 1);
            ids[item] = [.. codes[item - 1], rank];
        }

        return new SemanticIdTable(ids, codebookSize, largest);
    }

    public static SemanticIdMetrics Measure(IReadOnlyList<int[]> codes, int codebookSize)
    {
        var levels = codes.Count == 0 ? 0 : codes[0].Length;
        var usage = new double[levels];
        var entropy = new double[levels];
        for (var level = 0; level < levels; level++)
        {
            var counts = codes.GroupBy(c => c[level]).Select(g => (double)g.Count()).ToArray();
            usage[level] = counts.Length / (double)codebookSize;
            entropy[level] = -counts.Sum(c => c / codes.Count * Math.Log2(c / codes.Count));
        }

        var groups = codes.GroupBy(c => string.Join(',', c)).Select(g => g.Count()).ToArray();
        return new SemanticIdMetrics(usage, entropy, groups.Length / (double)codes.Count, groups.Max());
    }
}

/// <summary>Codebook usage (share of codewords used) and entropy (bits) per level; share of unique IDs; largest collision group.</summary>
internal sealed record SemanticIdMetrics(double[] Usage, double[] Entropy, double PUniqueIds, int MaxIdDuplicates);
