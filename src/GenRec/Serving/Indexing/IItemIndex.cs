namespace GenRec.Serving.Indexing;

/// <summary>Top-k maximum-inner-product search over <see cref="ItemVectors"/>, skipping padding and excluded items.</summary>
internal interface IItemIndex
{
    string Name { get; }

    /// <summary>The k best items for the query, best first (ties by item id), none of them in <paramref name="exclude"/>.</summary>
    IReadOnlyList<ScoredItem> Search(ReadOnlySpan<float> query, int k, IReadOnlySet<int>? exclude = null);
}
