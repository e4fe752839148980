namespace GenRec.Models.Tiger;

/// <summary>Prefix tree of the valid semantic IDs: which code may follow a prefix, and which item a full ID is.</summary>
internal sealed class SemanticIdTrie
{
    /// <param name="ids">Semantic ID of each dense item (row 0 unused).</param>
    /// <param name="include">The items the trie holds (default all): a beam can produce only these.</param>
    public SemanticIdTrie(IReadOnlyList<int[]> ids, Func<int, bool>? include = null)
    {
        Root = new Node();
        var items = new List<int>();
        for (var item = 1; item < ids.Count; item++)
        {
            if (include?.Invoke(item) == false)
            {
                continue;
            }

            items.Add(item);

            var node = Root;
            node.Count++;
            foreach (var code in ids[item])
            {
                if (!node.Children.TryGetValue(code, out var child))
                {
                    child = new Node();
                    node.Children[code] = child;
                }

                node = child;
                node.Count++;
            }

            if (node.Item > 0)
            {
                throw new ArgumentException($"items {node.Item} and {item} have the same semantic ID {string.Join("-", ids[item])}");
            }

            node.Item = item;
        }

        Items = [.. items];
        Ids = ids;
    }

    /// <summary>The semantic ID of each dense item (row 0 unused), the trie's and the others'.</summary>
    public IReadOnlyList<int[]> Ids { get; }

    public Node Root { get; }

    /// <summary>The items the trie holds, ascending.</summary>
    public int[] Items { get; }

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

    /// <summary>
    /// The nodes every item below which is among <paramref name="items"/> (given by their IDs): a beam that reaches one can
    /// only end in an excluded item, so constrained search leaves them out, exactly as over a trie built without those items.
    /// Items not in the trie are ignored; O(items x ID length).
    /// </summary>
    public HashSet<Node> Exhausted(IEnumerable<IReadOnlyList<int>> items)
    {
        var excluded = new Dictionary<Node, int>();
        foreach (var codes in items)
        {
            var path = new List<Node>(codes.Count);
            var node = Root;
            foreach (var code in codes)
            {
                if (!node.Children.TryGetValue(code, out node!))
                {
                    break;
                }

                path.Add(node);
            }

            if (path.Count == codes.Count && path.Count > 0 && path[^1].Item > 0 && excluded.TryAdd(path[^1], 0))
            {
                foreach (var on in path)
                {
                    excluded[on] = excluded.GetValueOrDefault(on) + 1;
                }
            }
        }

        return [.. excluded.Where(e => e.Value >= e.Key.Count).Select(e => e.Key)];
    }

    internal sealed class Node
    {
        public Dictionary<int, Node> Children { get; } = [];

        public int Item { get; set; } = -1;

        /// <summary>Items at or below this node.</summary>
        public int Count { get; set; }
    }
}
