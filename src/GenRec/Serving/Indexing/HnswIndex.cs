namespace GenRec.Serving.Indexing;

/// <summary>
/// Hierarchical Navigable Small World graph (Malkov and Yashunin, 2018) for approximate
/// maximum-inner-product search: each item gets a random top layer (exponential with rate ln M), is
/// inserted greedily from the top down, and links to at most M neighbours per layer (2M on layer 0)
/// chosen by the paper's heuristic (Algorithm 4: keep a candidate only when it is more similar to
/// the new item than to every neighbour kept so far, then fill up with the pruned ones). A search
/// descends greedily to layer 0 and runs a best-first search there with a beam of
/// <c>max(efSearch, k)</c>, doubled until k items outside the exclusions are found. Similarity is
/// the inner product, which on L2-normalised embeddings (GenRec's default output) is the cosine.
/// Built once, single-threaded and seeded, so the same vectors give the same graph; searches are
/// read-only and safe from many threads.
/// </summary>
internal sealed class HnswIndex : IItemIndex
{
    private readonly ItemVectors items;
    private readonly int m;
    private readonly int efConstruction;
    private readonly int[] levels;
    private readonly List<int>[][] links; // links[item][layer]
    private int entryPoint = -1;
    private int topLayer = -1;

    public HnswIndex(ItemVectors items, int m = 16, int efConstruction = 200, int efSearch = 64, int seed = 42)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(m, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(efConstruction, 1);
        this.items = items;
        this.m = m;
        this.efConstruction = efConstruction;
        EfSearch = efSearch;
        var random = new Random(seed);
        var levelScale = 1 / Math.Log(m);
        levels = new int[items.Count];
        links = new List<int>[items.Count][];
        for (var item = 1; item < items.Count; item++)
        {
            levels[item] = (int)Math.Floor(-Math.Log(1 - random.NextDouble()) * levelScale);
            links[item] = Enumerable.Range(0, levels[item] + 1).Select(_ => new List<int>()).ToArray();
            Insert(item);
        }
    }

    public string Name => $"hnsw(M={m}, efConstruction={efConstruction}, efSearch={EfSearch})";

    /// <summary>Beam width on layer 0 at query time: larger is slower and more exact.</summary>
    public int EfSearch { get; set; }

    public IReadOnlyList<ScoredItem> Search(ReadOnlySpan<float> query, int k, IReadOnlySet<int>? exclude = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (entryPoint < 0)
        {
            return [];
        }

        var current = entryPoint;
        var currentScore = items.Dot(query, current);
        for (var layer = topLayer; layer > 0; layer--)
        {
            (current, currentScore) = Greedy(query, current, currentScore, layer);
        }

        // Widen the beam (doubling) until k items outside the exclusions are found.
        var entry = new List<ScoredItem> { new(current, currentScore) };
        for (var beam = Math.Max(EfSearch, k); ; beam *= 2)
        {
            var found = SearchLayer(query, entry, beam, layer: 0);
            var kept = found.Where(s => exclude is null || !exclude.Contains(s.Item)).ToList();
            if (kept.Count >= k || beam >= items.Count) // a beam as wide as the catalogue has seen all it can reach
            {
                return kept.OrderByDescending(s => s.Score).ThenBy(s => s.Item).Take(k).ToArray();
            }
        }
    }

    private void Insert(int item)
    {
        var vector = items.Row(item);
        if (entryPoint < 0)
        {
            entryPoint = item;
            topLayer = levels[item];
            return;
        }

        var current = entryPoint;
        var currentScore = items.Dot(vector, current);
        for (var layer = topLayer; layer > levels[item]; layer--)
        {
            (current, currentScore) = Greedy(vector, current, currentScore, layer);
        }

        List<ScoredItem> entries = [new ScoredItem(current, currentScore)];
        for (var layer = Math.Min(topLayer, levels[item]); layer >= 0; layer--)
        {
            var found = SearchLayer(vector, entries, efConstruction, layer);
            var maxLinks = layer == 0 ? 2 * m : m;
            foreach (var neighbour in SelectNeighbours(found, m))
            {
                links[item][layer].Add(neighbour.Item);
                var theirs = links[neighbour.Item][layer];
                theirs.Add(item);
                if (theirs.Count > maxLinks)
                {
                    var own = items.Row(neighbour.Item);
                    var rescored = new List<ScoredItem>(theirs.Count);
                    foreach (var n in theirs)
                    {
                        rescored.Add(new ScoredItem(n, items.Dot(own, n)));
                    }

                    theirs.Clear();
                    theirs.AddRange(SelectNeighbours(rescored, maxLinks).Select(s => s.Item));
                }
            }

            entries = found;
        }

        if (levels[item] > topLayer)
        {
            topLayer = levels[item];
            entryPoint = item;
        }
    }

    // Hill-climb on one layer: move to the most similar neighbour while it improves.
    private (int Item, float Score) Greedy(ReadOnlySpan<float> query, int current, float currentScore, int layer)
    {
        for (var improved = true; improved;)
        {
            improved = false;
            foreach (var neighbour in links[current][layer])
            {
                var score = items.Dot(query, neighbour);
                if (score > currentScore)
                {
                    (current, currentScore, improved) = (neighbour, score, true);
                }
            }
        }

        return (current, currentScore);
    }

    // Best-first search on one layer (the paper's Algorithm 2): returns up to ef items, unordered.
    private List<ScoredItem> SearchLayer(ReadOnlySpan<float> query, List<ScoredItem> entries, int ef, int layer)
    {
        var visited = new bool[items.Count];
        foreach (var entry in entries)
        {
            visited[entry.Item] = true;
        }

        var candidates = new PriorityQueue<int, float>(); // most similar first
        var found = new PriorityQueue<int, float>();      // least similar first
        foreach (var entry in entries)
        {
            candidates.Enqueue(entry.Item, -entry.Score);
            found.Enqueue(entry.Item, entry.Score);
        }

        while (found.Count > ef)
        {
            found.Dequeue();
        }

        while (candidates.TryDequeue(out var candidate, out var negated))
        {
            found.TryPeek(out _, out var worst);
            if (-negated < worst && found.Count >= ef)
            {
                break;
            }

            foreach (var neighbour in links[candidate][layer])
            {
                if (visited[neighbour])
                {
                    continue;
                }

                visited[neighbour] = true;
                var score = items.Dot(query, neighbour);
                found.TryPeek(out _, out worst);
                if (found.Count < ef || score > worst)
                {
                    candidates.Enqueue(neighbour, -score);
                    found.Enqueue(neighbour, score);
                    if (found.Count > ef)
                    {
                        found.Dequeue();
                    }
                }
            }
        }

        var result = new List<ScoredItem>(found.Count);
        while (found.TryDequeue(out var item, out var score))
        {
            result.Add(new ScoredItem(item, score));
        }

        return result;
    }

    // The paper's Algorithm 4 with keepPrunedConnections: diverse neighbours first, then the closest pruned ones.
    private List<ScoredItem> SelectNeighbours(List<ScoredItem> candidates, int count)
    {
        var selected = new List<ScoredItem>(count);
        var pruned = new List<ScoredItem>();
        foreach (var candidate in candidates.OrderByDescending(c => c.Score).ThenBy(c => c.Item))
        {
            if (selected.Count >= count)
            {
                break;
            }

            var row = items.Row(candidate.Item);
            var diverse = true;
            foreach (var kept in selected)
            {
                if (items.Dot(row, kept.Item) > candidate.Score)
                {
                    diverse = false;
                    break;
                }
            }

            (diverse ? selected : pruned).Add(candidate);
        }

        selected.AddRange(pruned.Take(count - selected.Count));
        return selected;
    }
}
