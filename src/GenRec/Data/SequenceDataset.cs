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

    /// <summary>Categorical features of the users (from <c>users.dat</c> or a user table), when the data has them.</summary>
    internal Features.UserFeatureTable? UserFeatures { get; set; }

    /// <summary>The key of item 0, the padding item that no event refers to.</summary>
    public const string PaddingKey = "<pad>";

    private Dictionary<string, int>? itemIds;
    private Dictionary<string, int>? userIds;

    /// <summary>The dataset's name (its folder or file name, or the name given in memory).</summary>
    public string Name { get; }

    /// <summary>Original user ids, by dense user index 0..NumUsers-1.</summary>
    public string[] UserKeys { get; }

    /// <summary>Original item ids by dense item id; entry 0 is <see cref="PaddingKey"/>.</summary>
    public string[] ItemKeys { get; }

    /// <summary>Per user, item ids oldest first.</summary>
    internal int[][] Sequences { get; }

    internal float[][]? Ratings { get; }

    internal long[][]? Timestamps { get; }

    /// <summary>Metadata by dense item id (entry 0 and items without metadata are null).</summary>
    internal ItemMetadata?[] Items { get; }

    internal PreparationReport Report { get; }

    /// <summary>Users with at least one event after preparation.</summary>
    public int NumUsers => UserKeys.Length;

    /// <summary>Items with at least one event after preparation (dense ids 1..NumItems).</summary>
    public int NumItems => ItemKeys.Length - 1;

    /// <summary>Events after preparation.</summary>
    public long NumInteractions => Sequences.Sum(s => (long)s.Length);

    /// <summary>Dense item id by original item id (padding excluded); built once, on first use.</summary>
    public IReadOnlyDictionary<string, int> ItemIds => LazyInitializer.EnsureInitialized(ref itemIds, () => Index(ItemKeys, skipFirst: true));

    /// <summary>Dense user index by original user id; built once, on first use.</summary>
    public IReadOnlyDictionary<string, int> UserIds => LazyInitializer.EnsureInitialized(ref userIds, () => Index(UserKeys, skipFirst: false));

    /// <summary>
    /// Dense ids of original item ids, in order; <paramref name="unknown"/> lists the ids that are not in
    /// the dataset (null entries included, as "null"). True when every id is known.
    /// </summary>
    internal bool TryItemsOf(IReadOnlyList<string?> keys, out int[] ids, out List<string> unknown)
    {
        ids = new int[keys.Count];
        unknown = [];
        for (var i = 0; i < keys.Count; i++)
        {
            if (keys[i] is { } key && ItemIds.TryGetValue(key, out var id))
            {
                ids[i] = id;
            }
            else
            {
                unknown.Add(keys[i] ?? "null");
            }
        }

        return unknown.Count == 0;
    }

    /// <summary>How unknown ids are reported: the count and the first ten, quoted.</summary>
    internal static string DescribeUnknown(IReadOnlyList<string> unknown) =>
        $"{unknown.Count} unknown item id(s): {string.Join(", ", unknown.Take(10).Select(u => $"'{Util.QuotedText.Clip(u)}'"))}{(unknown.Count > 10 ? ", ..." : "")}";

    /// <summary>
    /// The dataset with items added after its last one (ids <c>NumItems + 1</c> onwards, in the order given): the
    /// sequences are unchanged, the new items have no interactions yet. Keys already in the dataset are an error.
    /// </summary>
    internal SequenceDataset WithItems(IReadOnlyList<string> keys, IReadOnlyList<ItemMetadata?> metadata)
    {
        if (keys.Count != metadata.Count)
        {
            throw new ArgumentException($"{keys.Count} item keys but {metadata.Count} metadata entries");
        }

        foreach (var key in keys.Where(ItemIds.ContainsKey))
        {
            throw new ArgumentException($"item '{key}' is already in {Name}");
        }

        return new SequenceDataset(Name, UserKeys, [.. ItemKeys, .. keys], Sequences, Ratings, Timestamps, [.. Items, .. metadata], Report);
    }

    /// <summary>A readable label: the title when known, else the original id.</summary>
    public string ItemLabel(int item) => Items[item] is { Title.Length: > 0 } m ? m.Title : ItemKeys[item];

    private static Dictionary<string, int> Index(string[] keys, bool skipFirst)
    {
        var index = new Dictionary<string, int>(keys.Length, StringComparer.Ordinal);
        for (var i = skipFirst ? 1 : 0; i < keys.Length; i++)
        {
            index[keys[i]] = i;
        }

        return index;
    }
}
