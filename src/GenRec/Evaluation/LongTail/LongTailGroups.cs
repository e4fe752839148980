namespace GenRec.Evaluation.LongTail;

/// <summary>
/// Head/tail split of items and users for long-tail evaluation, as LLM-ESR: items by popularity
/// (interactions in the users' sequences), users by sequence length. By share (default: the 20%
/// most popular items and the 20% longest users are the head, the rest the tail; ties by the
/// lower id) or by thresholds (head = more than the threshold).
/// </summary>
internal sealed class LongTailGroups
{
    private LongTailGroups(bool[] headItems, bool[] headUsers, string rule)
    {
        HeadItems = headItems;
        HeadUsers = headUsers;
        Rule = rule;
    }

    /// <summary>By dense item id (entry 0 unused): true for head items.</summary>
    public bool[] HeadItems { get; }

    /// <summary>By dense user index: true for head users.</summary>
    public bool[] HeadUsers { get; }

    /// <summary>How the groups were formed, for reports.</summary>
    public string Rule { get; }

    public static LongTailGroups ByShare(IReadOnlyList<int[]> sequences, int numItems, double headItemShare = 0.2, double headUserShare = 0.2)
    {
        if (headItemShare is < 0 or > 1 || headUserShare is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(headItemShare), "head shares must lie in [0, 1]");
        }

        var counts = Popularity(sequences, numItems);
        var headItems = new bool[numItems + 1];
        foreach (var item in Enumerable.Range(1, numItems).OrderByDescending(i => counts[i]).ThenBy(i => i).Take((int)Math.Ceiling(headItemShare * numItems)))
        {
            headItems[item] = true;
        }

        var headUsers = new bool[sequences.Count];
        foreach (var user in Enumerable.Range(0, sequences.Count).OrderByDescending(u => sequences[u].Length).ThenBy(u => u).Take((int)Math.Ceiling(headUserShare * sequences.Count)))
        {
            headUsers[user] = true;
        }

        return new LongTailGroups(headItems, headUsers, $"head items: the {headItemShare:P0} most popular; head users: the {headUserShare:P0} longest sequences");
    }

    public static LongTailGroups ByThreshold(IReadOnlyList<int[]> sequences, int numItems, int itemInteractions, int userLength)
    {
        var counts = Popularity(sequences, numItems);
        var headItems = Enumerable.Range(0, numItems + 1).Select(i => i > 0 && counts[i] > itemInteractions).ToArray();
        var headUsers = sequences.Select(s => s.Length > userLength).ToArray();
        return new LongTailGroups(headItems, headUsers, $"head items: more than {itemInteractions} interactions; head users: more than {userLength} items");
    }

    /// <summary>
    /// The LLM-ESR paper's groups (official code: utils/utils.py metric_pop_report / metric_len_report,
    /// thresholds from experiments/beauty.bash): a tail item has fewer than <paramref name="tailItemBelow"/>
    /// interactions, a tail (short) user fewer than <paramref name="tailUserBelow"/> items. Beauty: 4 and 9.
    /// </summary>
    public static LongTailGroups Paper(IReadOnlyList<int[]> sequences, int numItems, int tailItemBelow = 4, int tailUserBelow = 9)
    {
        var byThreshold = ByThreshold(sequences, numItems, tailItemBelow - 1, tailUserBelow - 1);
        return new LongTailGroups(byThreshold.HeadItems, byThreshold.HeadUsers, $"the paper's thresholds: tail items have fewer than {tailItemBelow} interactions, tail users fewer than {tailUserBelow} items");
    }

    /// <summary>Interactions per item id in the sequences (entry 0 unused): the popularity that groups items and weights popularity-sampled negatives.</summary>
    public static int[] Popularity(IReadOnlyList<int[]> sequences, int numItems)
    {
        var counts = new int[numItems + 1];
        foreach (var s in sequences)
        {
            foreach (var item in s)
            {
                counts[item]++;
            }
        }

        return counts;
    }
}
