namespace GenRec.Data;

/// <summary>
/// A prepared dataset: one chronological sequence per user over dense item ids 1..NumItems
/// (0 is padding), with ratings and timestamps when the source had them, and item metadata.
/// </summary>
public sealed class SequenceDataset
{
    internal SequenceDataset(
        string name,
        string[] userKeys,
        string[] itemKeys,
        int[][] sequences,
        float[][]? ratings,
        long[][]? timestamps,
        ItemMetadata?[] items,
        PreparationReport report)
    {
        if (itemKeys.Length == 0 || itemKeys[0] != PaddingKey)
        {
            throw new ArgumentException("item key 0 must be the padding key", nameof(itemKeys));
        }

        Name = name;
        UserKeys = userKeys;
        ItemKeys = itemKeys;
        Sequences = sequences;
        Ratings = ratings;
        Timestamps = timestamps;
        Items = items;
        Report = report;
    }

    public const string PaddingKey = "<pad>";

    public string Name { get; }

    /// <summary>Original user ids, by dense user index 0..NumUsers-1.</summary>
    public string[] UserKeys { get; }

    /// <summary>Original item ids by dense item id; entry 0 is <see cref="PaddingKey"/>.</summary>
    public string[] ItemKeys { get; }

    /// <summary>Per user, item ids oldest first.</summary>
    public int[][] Sequences { get; }

    public float[][]? Ratings { get; }

    public long[][]? Timestamps { get; }

    /// <summary>Metadata by dense item id (entry 0 and items without metadata are null).</summary>
    public ItemMetadata?[] Items { get; }

    public PreparationReport Report { get; }

    public int NumUsers => UserKeys.Length;

    public int NumItems => ItemKeys.Length - 1;

    public long NumInteractions => Sequences.Sum(s => (long)s.Length);

    /// <summary>A readable label: the title when known, else the original id.</summary>
    public string ItemLabel(int item) => Items[item] is { Title.Length: > 0 } m ? m.Title : ItemKeys[item];
}
