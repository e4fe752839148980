namespace GenRec.Models.Tiger;

/// <summary>Prefix tree of the valid semantic IDs: which code may follow a prefix, and which item a full ID is.</summary>
internal sealed class SemanticIdTrie
{
    /// <param name="ids">Semantic ID of each dense item (row 0 unused).</param>
    /// <param name="include">The items the trie holds (default all): a beam can produce only these.</param>
    public SemanticIdTrie(IReadOnlyList<int[]> ids, Func<int, bool>? include = null)
    {
        Root = new Node();
        for (var item = 1; item < ids.Count; item++)
        {
            if (include?.Invoke(item) == false)
            {
                continue;
            }

            var node = Root;
            foreach (var code in ids[item])
            {
                if (!node.Children.TryGetValue(code, out var child))
                {
                    child = new Node();
                    node.Children[code] = child;
                }

                node = child;
            }

            if (node.Item > 0)
            {
                throw new ArgumentException($"items {node.Item} and {item} have the same semantic ID {string.Join("-", ids[item])}");
            }

            node.Item = item;
        }
    }

    public Node Root { get; }

    /// <summary>The item with this full ID, or -1 when no item has it.</summary>
    public int ItemOf(IReadOnlyList<int> codes)
    {
        var node = Root;
        foreach (var code in codes)
        {
            if (!node.Children.TryGetValue(code, out node!))
            {
                return -1;
            }
        }

        return node.Item > 0 ? node.Item : -1;
    }

    internal sealed class Node
    {
        public Dictionary<int, Node> Children { get; } = [];

        public int Item { get; set; } = -1;
    }
}
