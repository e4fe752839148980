using Cloud.Unum.USearch;

namespace GenRec.Serving.Indexing;

/// <summary>
/// HNSW from USearch (Unum, Apache-2.0; the <c>Cloud.Unum.USearch</c> package, native <c>libusearch_c</c>): the same
/// graph as <see cref="HnswIndex"/> (M 16, efConstruction 200, efSearch 64 by default) over inner product, with items
/// added and removed in place, so a catalogue change extends the served index instead of rebuilding it. Keys are item
/// ids. Exclusions (the user's history, withdrawn items) are met by asking for k plus their number and dropping them;
/// scores are the exact inner products of the stored f32 rows, as every index here returns.
/// <para>
/// Searches run concurrently, an extension or removal alone (a reader-writer lock: the package may reallocate the graph
/// when it grows). The package keeps one search context per hardware thread and refuses a search when all are taken
/// ("Reserve capacity ahead of searches!"), so at most <see cref="Environment.ProcessorCount"/> searches enter it at once. The graph is shared by the engines that serve one checkpoint as its catalogue grows
/// (<see cref="ItemIndexSnapshot"/>): each holds a reference, and the native index is freed with the last.
/// </para>
/// </summary>
internal sealed class USearchItemIndex : IItemIndex, IDisposable
{
    private readonly USearchIndex index;
    private readonly int m;
    private readonly int efConstruction;
    private readonly ReaderWriterLockSlim gate = new(LockRecursionPolicy.NoRecursion);
    private readonly SemaphoreSlim searchContexts = new(Environment.ProcessorCount, Environment.ProcessorCount);
    private ItemVectors items;
    private int references = 1;

    public USearchItemIndex(ItemVectors items, int m = 16, int efConstruction = 200, int efSearch = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(m, 2);
        this.items = items;
        this.m = m;
        this.efConstruction = efConstruction;
        EfSearch = efSearch;
        index = new USearchIndex(MetricKind.Ip, ScalarKind.Float32, (ulong)items.Dim, (ulong)m, (ulong)efConstruction, (ulong)efSearch);
        AddRows(items, 1);
    }

    public string Name => $"usearch-hnsw(M={m}, efConstruction={efConstruction}, efSearch={EfSearch})";

    /// <summary>Beam width at query time (USearch's expansion_search; fixed when the index is made).</summary>
    public int EfSearch { get; }

    /// <summary>Items in the graph.</summary>
    public int Count => (int)index.Size();

    /// <summary>The rows the graph holds now (padding row 0 included).</summary>
    public ItemVectors Rows => Volatile.Read(ref items);

    public IReadOnlyList<ScoredItem> Search(ReadOnlySpan<float> query, int k, IReadOnlySet<int>? exclude = null) => Search(query, k, exclude, Rows);

    /// <summary>
    /// <see cref="Search(ReadOnlySpan{float}, int, IReadOnlySet{int}?)"/> as of an earlier version of the rows: items
    /// added after <paramref name="rows"/> (ids from its count on) are skipped, and as many more are asked for, so an
    /// engine still serving the smaller catalogue answers as before while the graph grows for its successor.
    /// </summary>
    public IReadOnlyList<ScoredItem> Search(ReadOnlySpan<float> query, int k, IReadOnlySet<int>? exclude, ItemVectors rows)
    {
        ulong[] keys;
        int found;
        searchContexts.Wait();
        gate.EnterReadLock();
        try
        {
            var inGraph = Count;
            var later = Math.Max(0, Rows.Count - rows.Count);                                 // added after this version
            var wanted = (int)Math.Min(inGraph, (long)k + (exclude?.Count ?? 0) + later);
            if (wanted <= 0)
            {
                return [];
            }

            found = index.Search(query.ToArray(), wanted, out keys, out float[] _);
        }
        finally
        {
            gate.ExitReadLock();
            searchContexts.Release();
        }

        var result = new List<ScoredItem>(k);
        for (var i = 0; i < found; i++)
        {
            var item = (int)keys[i];
            if (item < rows.Count && (exclude is null || !exclude.Contains(item)))
            {
                result.Add(new ScoredItem(item, rows.Dot(query, item)));
            }
        }

        result.Sort((a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : a.Item.CompareTo(b.Item));
        return result.Count > k ? result.GetRange(0, k) : result;
    }

    /// <summary>
    /// Adds items in place: <paramref name="grown"/> holds every row, those already in the graph unchanged, and the ids
    /// from the current count on enter the graph (none: nothing changes).
    /// </summary>
    /// <exception cref="ArgumentException">The grown rows are narrower, fewer, or differ from a row already in the graph.</exception>
    public void Extend(ItemVectors grown)
    {
        gate.EnterWriteLock();
        try
        {
            var now = items;
            if (grown.Dim != now.Dim || grown.Count < now.Count)
            {
                throw new ArgumentException($"the grown rows must keep the {now.Count - 1} items of width {now.Dim}", nameof(grown));
            }

            if (!grown.Values.AsSpan(0, now.Values.Length).SequenceEqual(now.Values))
            {
                throw new ArgumentException("the grown rows change items already in the graph", nameof(grown));
            }

            AddRows(grown, now.Count);
            Volatile.Write(ref items, grown);
        }
        finally
        {
            gate.ExitWriteLock();
        }
    }

    /// <summary>Takes items out of the graph in place (a withdrawal that is not coming back).</summary>
    public void Remove(IEnumerable<int> removed)
    {
        gate.EnterWriteLock();
        try
        {
            foreach (var item in removed)
            {
                index.Remove((ulong)item);
            }
        }
        finally
        {
            gate.ExitWriteLock();
        }
    }

    /// <summary>One more holder of this graph (released by its <see cref="Dispose"/>).</summary>
    /// <exception cref="ObjectDisposedException">The last holder has already released it.</exception>
    public USearchItemIndex Retain()
    {
        int held;
        do
        {
            held = Volatile.Read(ref references);
            ObjectDisposedException.ThrowIf(held == 0, this);
        }
        while (Interlocked.CompareExchange(ref references, held + 1, held) != held);
        return this;
    }

    /// <summary>Releases this holder's reference; the last frees the native index.</summary>
    public void Dispose()
    {
        if (Interlocked.Decrement(ref references) == 0)
        {
            index.Dispose();
            gate.Dispose();
            searchContexts.Dispose();
        }
    }

    // Rows from..Count - 1 into the graph, in one call (the package reserves capacity once per call).
    private void AddRows(ItemVectors rows, int from)
    {
        if (from >= rows.Count)
        {
            return;
        }

        ulong[] keys = [.. Enumerable.Range(from, rows.Count - from).Select(i => (ulong)i)];
        float[][] vectors = [.. Enumerable.Range(from, rows.Count - from).Select(i => rows.Row(i).ToArray())];
        index.Add(keys, vectors);
    }
}
