namespace GenRec.Serving.Indexing;

/// <summary>
/// One engine's view of a shared <see cref="USearchItemIndex"/>: searches see the rows the engine was made with, not
/// items a successor added since, and disposing the view releases the engine's reference to the graph.
/// </summary>
internal sealed class ItemIndexSnapshot(USearchItemIndex graph, ItemVectors rows) : IItemIndex, IDisposable
{
    /// <summary>The shared graph (to be extended for the next version of the catalogue).</summary>
    public USearchItemIndex Graph { get; } = graph;

    public ItemVectors Rows { get; } = rows;

    public string Name => Graph.Name;

    public IReadOnlyList<ScoredItem> Search(ReadOnlySpan<float> query, int k, IReadOnlySet<int>? exclude = null) => Graph.Search(query, k, exclude, Rows);

    public void Dispose() => Graph.Dispose();
}
