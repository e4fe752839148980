using GenRec.Catalog;
using GenRec.Checkpoints;
using GenRec.Data;
using GenRec.Evaluation;
using GenRec.Serving;
using GenRec.Serving.Indexing;

namespace GenRec.Tests.Catalog;

/// <summary>The share of each answer kept for items added after training: the list it makes, its ranks in evaluation, and a served answer.</summary>
public class NewItemSlotsTests
{
    private static ScoredItem S(int item, float score) => new(item, score);

    [Fact]
    public void TheBestNewItemsTakeTheLastPlacesOfTheTrainedOnes()
    {
        // Items 100+ are new. Top 5 of the model: trained 1..5; the best new ones outside it: 101, 102.
        ScoredItem[] ranked = [S(1, 9), S(2, 8), S(3, 7), S(4, 6), S(5, 5)];
        ScoredItem[] newBest = [S(101, 4), S(102, 3), S(103, 2)];
        static bool IsNew(int item) => item >= 100;
        Assert.Equal([1, 2, 3, 4, 101], NewItemSlots.Merge(ranked, newBest, IsNew, k: 5, share: 0.2).Select(s => s.Item));
        Assert.Equal([1, 2, 3, 101, 102], NewItemSlots.Merge(ranked, newBest, IsNew, k: 5, share: 0.4).Select(s => s.Item));
        Assert.Equal([1, 2, 3, 4, 5], NewItemSlots.Merge(ranked, newBest, IsNew, k: 5, share: 0.1).Select(s => s.Item)); // floor(0.5) = 0 places
        // A new item already in the top counts towards the share.
        ScoredItem[] withNew = [S(1, 9), S(104, 8.5f), S(2, 8), S(3, 7), S(4, 6)];
        Assert.Equal([1, 104, 2, 3, 4], NewItemSlots.Merge(withNew, [S(104, 8.5f), .. newBest], IsNew, k: 5, share: 0.2).Select(s => s.Item));
        Assert.Equal([1, 104, 2, 3, 101], NewItemSlots.Merge(withNew, [S(104, 8.5f), .. newBest], IsNew, k: 5, share: 0.4).Select(s => s.Item));
        // No new item to give: the model's list.
        Assert.Equal([1, 2, 3, 4, 5], NewItemSlots.Merge(ranked, [], IsNew, k: 5, share: 0.4).Select(s => s.Item));
    }

    [Fact]
    public void RanksUnderTheRuleMatchTheListMadeBySortingEveryItem()
    {
        var rng = new Random(7);
        for (var trial = 0; trial < 200; trial++)
        {
            var n = rng.Next(5, 60);
            var row = new float[n + 1];
            for (var i = 1; i <= n; i++)
            {
                row[i] = rng.Next(4) == 0 ? float.NegativeInfinity : rng.Next(0, 12);        // ties and excluded items on purpose
            }

            var isNew = Enumerable.Range(0, n + 1).Select(i => i > 0 && rng.Next(3) == 0).ToArray();
            var (k, share) = (rng.Next(1, 12), rng.Next(0, 6) / 10.0);
            var sorted = Enumerable.Range(1, n).Where(i => !float.IsNegativeInfinity(row[i])).OrderByDescending(i => row[i]).ThenBy(i => i).Select(i => S(i, row[i])).ToArray();
            var list = NewItemSlots.Merge(sorted, [.. sorted.Where(s => isNew[s.Item])], i => isNew[i], k, share).Select(s => s.Item).ToList();
            for (var target = 1; target <= n; target++)
            {
                if (float.IsNegativeInfinity(row[target]))
                {
                    continue;
                }

                var modelRank = TargetRank.RankOf(row, target);
                var expected = list.IndexOf(target) is >= 0 and var at ? at : Math.Max(modelRank, k);
                Assert.Equal(expected, NewItemSlots.RankOf(row, target, modelRank, i => isNew[i], k, share));
            }
        }
    }

    [Fact]
    public void AServedAnswerKeepsItsShareForAddedItems()
    {
        using var dir = new TempDir();
        var (checkpoint, data) = CatalogFixtures.Trained(dir);
        using (var opened = Checkpoint.Open(checkpoint, new() { Dataset = data }))
        using (var model = opened.TakeRetrieval("test"))
        {
            CatalogAdd.Run(checkpoint, model, opened.Dataset, [("new-1", new ItemMetadata("item 3 colour 3 shape 0", [])), ("new-2", new ItemMetadata("item 7 colour 3 shape 1", []))], new CatalogFixtures.BagOfWords(), null, ContentMappingKind.Knn, seed: 1);
        }

        using var engine = RetrievalEngine.Load(checkpoint, new CheckpointOpenOptions { Dataset = data });
        int[] history = [1, 2, 3];
        var plain = engine.Recommend(history, k: 5).Select(r => r.Key).ToArray();
        engine.NewItemShare = 0.4;                                                             // two of five places
        var shared = engine.Recommend(history, k: 5).Select(r => r.Key).ToArray();
        Assert.Equal(5, shared.Length);
        Assert.Contains("new-1", shared);
        Assert.Contains("new-2", shared);
        var kept = plain.Where(key => !key.StartsWith("new-", StringComparison.Ordinal)).Take(5 - shared.Count(key => key.StartsWith("new-", StringComparison.Ordinal)));
        Assert.Equal(kept, shared.Where(key => !key.StartsWith("new-", StringComparison.Ordinal)));   // the trained items that stay are the model's best, in order
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.NewItemShare = 1.0);
    }
}
