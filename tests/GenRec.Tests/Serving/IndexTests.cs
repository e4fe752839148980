using GenRec.Serving.Indexing;
using GenRec.Util;

namespace GenRec.Tests.Serving;

/// <summary>Exact and HNSW top-k against a brute-force loop; .npy round trip.</summary>
public class IndexTests
{
    // Clustered unit vectors (like trained item embeddings), row 0 = padding.
    internal static ItemVectors RandomVectors(int count, int dim, int seed)
    {
        var random = new Random(seed);
        var centres = Enumerable.Range(0, 20).Select(_ => Enumerable.Range(0, dim).Select(_ => (float)Gaussian(random)).ToArray()).ToArray();
        var values = new float[(count + 1) * dim];
        for (var item = 1; item <= count; item++)
        {
            var centre = centres[random.Next(centres.Length)];
            var row = values.AsSpan(item * dim, dim);
            for (var d = 0; d < dim; d++)
            {
                row[d] = centre[d] + (0.7f * (float)Gaussian(random));
            }

            var norm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot(row, row));
            System.Numerics.Tensors.TensorPrimitives.Divide(row, norm, row);
        }

        return new ItemVectors(values, dim);
    }

    internal static float[] Query(ItemVectors items, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, items.Dim).Select(_ => (float)Gaussian(random)).ToArray();
    }

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static int[] BruteForce(ItemVectors items, float[] query, int k, IReadOnlySet<int>? exclude)
    {
        var scored = new List<(int Item, double Score)>();
        for (var item = 1; item < items.Count; item++)
        {
            if (exclude?.Contains(item) == true)
            {
                continue;
            }

            double score = 0;
            for (var d = 0; d < items.Dim; d++)
            {
                score += query[d] * items.Values[(item * items.Dim) + d];
            }

            scored.Add((item, score));
        }

        return scored.OrderByDescending(s => s.Score).ThenBy(s => s.Item).Take(k).Select(s => s.Item).ToArray();
    }

    [Fact]
    public void ExactIndexEqualsBruteForceWithExclusions()
    {
        var items = RandomVectors(500, 12, seed: 1);
        var index = new ExactItemIndex(items);
        for (var q = 0; q < 20; q++)
        {
            var query = Query(items, 100 + q);
            var exclude = new HashSet<int>(Enumerable.Range(0, 30).Select(i => 1 + ((i * 37 + q) % 500)));
            var expected = BruteForce(items, query, 10, exclude);
            var found = index.Search(query, 10, exclude);
            Assert.Equal(expected, found.Select(s => s.Item));
            Assert.All(found, s => Assert.Equal(BruteScore(items, query, s.Item), s.Score, 1e-4));
        }

        // k larger than the catalogue: everything but padding and the excluded items.
        Assert.Equal(498, index.Search(Query(items, 7), 1_000, new HashSet<int> { 1, 2 }).Count);
    }

    private static float BruteScore(ItemVectors items, float[] query, int item) =>
        Enumerable.Range(0, items.Dim).Sum(d => query[d] * items.Values[(item * items.Dim) + d]);

    [Fact]
    public void BatchedExactSearchEqualsOneQueryAtATime()
    {
        var items = RandomVectors(300, 8, seed: 2);
        var index = new ExactItemIndex(items);
        var queries = Enumerable.Range(0, 5).Select(q => Query(items, q)).ToArray();
        var excludes = queries.Select((_, q) => (IReadOnlySet<int>?)(q % 2 == 0 ? new HashSet<int> { 1 + q, 50 + q } : null)).ToArray();
        var batched = index.SearchBatch(queries.SelectMany(q => q).ToArray(), 7, excludes);
        for (var q = 0; q < queries.Length; q++)
        {
            Assert.Equal(index.Search(queries[q], 7, excludes[q]).Select(s => s.Item), batched[q].Select(s => s.Item));
        }
    }

    [Fact]
    public void HnswRecallAt10IsAbove95PercentAndRespectsExclusions()
    {
        var items = RandomVectors(3_000, 32, seed: 3);
        var recall = RecallAt10WithExclusions(new HnswIndex(items, m: 16, efConstruction: 200, efSearch: 64, seed: 1), items);
        Assert.True(recall >= 0.95, $"HNSW recall@10 {recall:F3}");
    }

    // Recall@10 against brute force over 200 queries, each excluding 20 items; every answer checked for exclusions and exact scores.
    private static double RecallAt10WithExclusions(IItemIndex index, ItemVectors items)
    {
        double hits = 0;
        const int queries = 200;
        for (var q = 0; q < queries; q++)
        {
            var query = Query(items, 1_000 + q);
            var exclude = new HashSet<int>(Enumerable.Range(1, 20).Select(i => ((i * 131) + q) % 3_000 + 1));
            var expected = BruteForce(items, query, 10, exclude);
            var found = index.Search(query, 10, exclude);
            Assert.Equal(10, found.Count);
            Assert.DoesNotContain(found, s => exclude.Contains(s.Item) || s.Item == 0);
            Assert.All(found, s => Assert.Equal(items.Dot(query, s.Item), s.Score));
            hits += found.Count(s => expected.Contains(s.Item));
        }

        return hits / (queries * 10);
    }

    [Fact]
    public void HnswWithAWideBeamIsExactOnASmallCatalogue()
    {
        var items = RandomVectors(200, 6, seed: 4);
        var hnsw = new HnswIndex(items, m: 8, efConstruction: 100, efSearch: 200, seed: 2);
        for (var q = 0; q < 10; q++)
        {
            var query = Query(items, q);
            Assert.Equal(BruteForce(items, query, 5, null), hnsw.Search(query, 5).Select(s => s.Item));
        }
    }

    [Fact]
    public void HnswReturnsWhatIsLeftWhenAlmostEverythingIsExcluded()
    {
        var items = RandomVectors(300, 8, seed: 5);
        var hnsw = new HnswIndex(items, m: 8, efConstruction: 50, efSearch: 16, seed: 3);
        var exclude = new HashSet<int>(Enumerable.Range(1, 300).Where(i => i is not (7 or 150 or 299)));
        var found = hnsw.Search(Query(items, 1), 10, exclude);
        Assert.Equal(new[] { 7, 150, 299 }, found.Select(s => s.Item).Order());
    }

    [Fact]
    public void USearchRecallAt10IsAbove95PercentAndRespectsExclusions()
    {
        var items = RandomVectors(3_000, 32, seed: 3);
        using var index = new USearchItemIndex(items, m: 16, efConstruction: 200, efSearch: 64);
        var recall = RecallAt10WithExclusions(index, items);
        Assert.True(recall >= 0.95, $"USearch recall@10 {recall:F3}");
    }

    [Fact]
    public void AUSearchSnapshotSeesOnlyItsOwnRowsWhileTheGraphGrowsForTheNext()
    {
        // The engine serving 250 items keeps answering over those 250 (k of them, the exact top k at this ef) after the
        // graph is extended to 300 for its successor, whose snapshot finds the added items.
        var items = RandomVectors(300, 8, seed: 7);
        var before = new ItemVectors(items.Values[..(251 * 8)], 8);
        var graph = new USearchItemIndex(before, m: 8, efConstruction: 100, efSearch: 400);
        using var old = new ItemIndexSnapshot(graph, before);
        using (var grown = new ItemIndexSnapshot(graph.Retain(), items))
        {
            graph.Extend(items);
            Assert.Equal(300, graph.Count);
            foreach (var seed in new[] { 1, 2, 3 })
            {
                var query = Query(items, seed);
                var exclude = new HashSet<int> { 3, 40, 260 };
                Assert.Equal(BruteForce(before, query, 10, exclude), old.Search(query, 10, exclude).Select(s => s.Item));
                Assert.Equal(BruteForce(items, query, 10, exclude), grown.Search(query, 10, exclude).Select(s => s.Item));
            }

            Assert.Equal(275, grown.Search(items.Row(275), 1)[0].Item);
            Assert.All(old.Search(items.Row(275), 10), s => Assert.True(s.Item <= 250));
        }

        Assert.Equal(300, graph.Count);                                                          // one holder left: still alive
    }

    [Fact]
    public void USearchRefusesAnExtensionThatChangesItsRowsAndTheLastHolderFreesIt()
    {
        var items = RandomVectors(60, 4, seed: 8);
        var graph = new USearchItemIndex(new ItemVectors(items.Values[..(41 * 4)], 4));
        var changed = (float[])items.Values.Clone();
        changed[(7 * 4) + 1] += 0.5f;                                                            // item 7 is not what the graph holds
        var error = Assert.Throws<ArgumentException>(() => graph.Extend(new ItemVectors(changed, 4)));
        Assert.Contains("change items already in the graph", error.Message, StringComparison.Ordinal);
        Assert.Equal(40, graph.Count);
        graph.Extend(new ItemVectors(items.Values[..(41 * 4)], 4));                              // the same rows: nothing to add
        Assert.Equal(40, graph.Count);

        var held = graph.Retain();
        graph.Dispose();
        Assert.Equal(40, held.Count);
        held.Dispose();
        Assert.Throws<ObjectDisposedException>(() => graph.Retain());
    }

    [Fact]
    public async Task USearchAnswersConcurrentSearchesWhileItGrows()
    {
        var items = RandomVectors(2_000, 16, seed: 9);
        var first = new ItemVectors(items.Values[..(1_001 * 16)], 16);
        using var graph = new USearchItemIndex(first);
        // More searching threads than this machine has cores: USearch keeps one search context per core.
        var searches = Enumerable.Range(0, 4 * Environment.ProcessorCount).Select(worker => Task.Factory.StartNew(() =>
        {
            var rng = new Random(worker);
            for (var i = 0; i < 300; i++)
            {
                var found = graph.Search(Query(items, rng.Next()), 10, null, first);
                Assert.Equal(10, found.Count);
                Assert.All(found, s => Assert.InRange(s.Item, 1, 1_000));
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        for (var rows = 1_101; rows <= 2_001; rows += 100)
        {
            graph.Extend(new ItemVectors(items.Values[..(rows * 16)], 16));
        }

        await Task.WhenAll(searches);
        Assert.Equal(2_000, graph.Count);
    }

    [Fact]
    public void USearchAddsItemsInPlaceAndRemovesThem()
    {
        // Built on the first 250 of 300 items, then the other 50 added: each is its own nearest item, as after a full build.
        var items = RandomVectors(300, 8, seed: 6);
        using var index = new USearchItemIndex(new ItemVectors(items.Values[..(251 * 8)], 8), m: 8, efConstruction: 100, efSearch: 300);
        Assert.Equal(250, index.Count);
        index.Extend(items);
        Assert.Equal(300, index.Count);
        foreach (var item in new[] { 251, 275, 300 })
        {
            Assert.Equal(BruteForce(items, items.Row(item).ToArray(), 5, null), index.Search(items.Row(item), 5).Select(s => s.Item));
        }

        index.Remove([275]);
        Assert.Equal(299, index.Count);
        Assert.DoesNotContain(index.Search(items.Row(275), 20), s => s.Item == 275);
        Assert.Throws<ArgumentException>(() => index.Extend(new ItemVectors(items.Values[..(11 * 8)], 8)));
    }

    [Fact]
    public void NpyRoundTripsAndRejectsOtherDtypes()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "e.npy");
        var values = Enumerable.Range(0, 12).Select(i => i * 0.5f).ToArray();
        NpyFile.Write(path, values, 3, 4);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(0, (bytes.Length - (12 * 4)) % 64); // header padded to 64 bytes as NumPy does
        var (read, rows, cols) = NpyFile.Read(path);
        Assert.Equal((3, 4), (rows, cols));
        Assert.Equal(values, read);

        var at = bytes.AsSpan().IndexOf("'<f4'"u8);
        bytes[at + 3] = (byte)'8';
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<InvalidDataException>(() => NpyFile.Read(path));
        Assert.Contains("'descr'", error.Message);
    }
}
