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
    public void NewItemsPlacedInAnotherOrderMatchTheListMadeBySortingEveryItem()
    {
        // The places go to the new items best by a second row (the text floor's); they are listed with the model's score.
        var rng = new Random(11);
        for (var trial = 0; trial < 200; trial++)
        {
            var n = rng.Next(5, 60);
            var row = new float[n + 1];
            var order = new float[n + 1];
            for (var i = 1; i <= n; i++)
            {
                row[i] = rng.Next(4) == 0 ? float.NegativeInfinity : rng.Next(0, 12);
                order[i] = rng.Next(0, 8);
            }

            var isNew = Enumerable.Range(0, n + 1).Select(i => i > 0 && rng.Next(3) == 0).ToArray();
            var (k, share) = (rng.Next(1, 12), rng.Next(1, 6) / 10.0);
            var sorted = Enumerable.Range(1, n).Where(i => !float.IsNegativeInfinity(row[i])).OrderByDescending(i => row[i]).ThenBy(i => i).Select(i => S(i, row[i])).ToArray();
            ScoredItem[] byOrder = [.. sorted.Where(s => isNew[s.Item]).OrderByDescending(s => order[s.Item]).ThenBy(s => s.Item)];
            var list = NewItemSlots.Merge(sorted, byOrder, i => isNew[i], k, share).Select(s => s.Item).ToList();
            for (var target = 1; target <= n; target++)
            {
                if (float.IsNegativeInfinity(row[target]))
                {
                    continue;
                }

                var modelRank = TargetRank.RankOf(row, target);
                var expected = list.IndexOf(target) is >= 0 and var at ? at : Math.Max(modelRank, k);
                Assert.Equal(expected, NewItemSlots.RankOf(row, target, modelRank, i => isNew[i], k, share, order));
            }
        }

        Assert.Throws<ArgumentException>(() => NewItemSlots.RankOf(new float[5], 1, 0, _ => true, 3, 0.5, new float[4]));
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

    [Fact]
    public void PlacedByTextTheAddedItemsGoByTheirTextsCosineWithTheLastItem()
    {
        using var dir = new TempDir();
        var (checkpoint, data) = CatalogFixtures.Trained(dir);
        var encoder = new CatalogFixtures.BagOfWords();
        (string, ItemMetadata)[] added =
        [
            ("far-1", new ItemMetadata("colour 0 shape 1 other words", [])),
            ("twin-of-5", new ItemMetadata("item 5 colour 1 shape 2", [])),                    // item 5's own text
            ("far-2", new ItemMetadata("item 9 colour 1 shape 0", [])),
        ];
        using (var opened = Checkpoint.Open(checkpoint, new() { Dataset = data }))
        using (var model = opened.TakeRetrieval("test"))
        {
            CatalogAdd.Run(checkpoint, model, opened.Dataset, added, encoder, null, ContentMappingKind.Knn, seed: 1);
        }

        using var engine = RetrievalEngine.Load(checkpoint, new CheckpointOpenOptions { Dataset = data });
        Assert.Equal(3, engine.AddedItemText.Count);
        var trainedText = new float[(data.NumItems + 1) * encoder.Dim];
        encoder.Encode([.. Enumerable.Range(1, data.NumItems).Select(i => data.Items[i]!.ToText())]).CopyTo(trainedText, encoder.Dim);
        int[] history = [1, 2, 5];
        var state = engine.UserState(history);
        var byModel = engine.BestNewItems(state, history, 3, null);
        Assert.Equal(byModel.Select(s => s.Score).OrderDescending(), byModel.Select(s => s.Score));
        engine.PlaceNewItemsByText((trainedText, encoder.Dim));
        var byText = engine.BestNewItems(state, history, 3, null);

        // Brute force: the added items by the cosine of their text with item 5's, each with the model's score.
        static double Cosine(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum() / Math.Sqrt(a.Sum(x => (double)x * x) * b.Sum(x => (double)x * x));
        var last = encoder.Encode([data.Items[5]!.ToText()]);
        var expected = Enumerable.Range(0, 3).OrderByDescending(i => Cosine(encoder.Encode([added[i].Item2.ToText()]), last)).ThenBy(i => i).Select(i => engine.FirstNewItem + i);
        Assert.Equal(expected, byText.Select(s => s.Item));
        Assert.Equal("twin-of-5", engine.Dataset.ItemKeys[byText[0].Item]);
        Assert.All(byText, s => Assert.Equal(byModel.Single(m => m.Item == s.Item).Score, s.Score));
        Assert.Equal(2, engine.BestNewItems(state, history, 3, new HashSet<int> { byText[0].Item }).Length);
        var error = Assert.Throws<ArgumentException>(() => engine.PlaceNewItemsByText((trainedText[..^encoder.Dim], encoder.Dim)));
        Assert.Contains("expected 21", error.Message, StringComparison.Ordinal);
    }
}
