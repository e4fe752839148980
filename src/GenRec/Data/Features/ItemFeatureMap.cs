namespace GenRec.Data.Features;

/// <summary>
/// A categorical item feature as a lookup table: <c>Values[item]</c> holds up to <see cref="Width"/> value ids (0 pads;
/// a movie has several genres, an Amazon product several category-path entries), over a vocabulary in ordinal order
/// whose entry 0 is "none". Built from the item metadata: <c>category</c> (MovieLens genres, Amazon categories) or
/// <c>brand</c>. Row 0 (padding) has none.
/// </summary>
internal sealed record ItemFeatureMap(string Name, string[] Vocabulary, int[][] Values, int Width, int ItemsWithout)
{
    /// <summary>The features item metadata can give.</summary>
    public static readonly string[] Names = ["category", "brand"];

    /// <summary>Most values kept per item (the first ones, in metadata order).</summary>
    public const int MaxWidth = 16;

    public static ItemFeatureMap From(SequenceDataset data, string name)
    {
        IEnumerable<string> ValuesOf(ItemMetadata? m) => name switch
        {
            "category" => m?.Categories.Where(c => c.Length > 0).Distinct(StringComparer.Ordinal).Take(MaxWidth) ?? [],
            "brand" => m?.Brand is { Length: > 0 } brand ? [brand] : [],
            _ => throw new ArgumentException($"unknown item feature '{name}' (available: {string.Join(", ", Names)})"),
        };

        var perItem = data.Items.Select(m => ValuesOf(m).ToArray()).ToArray();
        perItem[0] = [];
        string[] vocabulary = ["<none>", .. perItem.SelectMany(v => v).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        if (vocabulary.Length == 1)
        {
            throw new ArgumentException($"item feature '{name}': no item of {data.Name} has one (its metadata gives none)");
        }

        var lookup = vocabulary.Select((v, i) => (v, i)).Skip(1).ToDictionary(p => p.v, p => p.i, StringComparer.Ordinal);
        var width = Math.Max(1, perItem.Max(v => v.Length));
        var values = perItem.Select(v => v.Select(x => lookup[x]).Concat(Enumerable.Repeat(0, width - v.Length)).ToArray()).ToArray();
        return new ItemFeatureMap(name, vocabulary, values, width, perItem.Skip(1).Count(v => v.Length == 0));
    }
}
