using GenRec.Data.Splits;
using GenRec.Models.Ranking;
using GenRec.Serving;
using GenRec.Tests.Training;
using GenRec.Training;
using GenRec.Training.Ranking;

namespace GenRec.Tests.Ranking;

/// <summary>
/// Hard negatives for the ranker: each user's pool is retrieval's top items for the training history, never one of
/// the user's own items (so held-out items are never taught as negatives), and the batcher draws a step's negative
/// from the pool at the configured share.
/// </summary>
public class HardNegativeTests
{
    [Fact]
    public void APoolIsRetrievalsTopItemsForTheTrainingHistoryWithoutAnyOfTheUsersOwnItems()
    {
        using var dir = new TempDir();
        var data = TrainingTests.CycleDataset(users: 40, items: 30, seed: 4);
        var checkpoint = Trainer.Run(TrainingTests.SmallRun(2), data, dir.Path).Checkpoint;
        var split = SequenceSplit.Create(data, SplitKind.LeaveOneOut);
        var pools = HardNegativePools.Build(checkpoint, data, split, pool: 8, _ => { });

        using var engine = RetrievalEngine.Load(checkpoint, new GenRec.Checkpoints.CheckpointOpenOptions { Dataset = data, WithCatalog = false });
        for (var user = 0; user < data.NumUsers; user++)
        {
            var own = data.Sequences[user].ToHashSet();
            Assert.True(pools[user].Length <= 8);
            Assert.DoesNotContain(pools[user], own.Contains);
            // Brute force: retrieval's whole order for the history, the user's items removed, first 8.
            var expected = engine.Recommend(split.Train[user], data.NumItems, filterHistory: true).Select(r => r.Item).Where(i => !own.Contains(i)).Take(8);
            Assert.Equal(expected, pools[user]);
        }
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.0)]
    [InlineData(0.5)]
    public void TheBatcherDrawsFromThePoolAtTheShareGiven(double share)
    {
        var histories = Enumerable.Range(0, 50).Select(u => RankingHistory.From([1, 2, 3, 4, 5, 6], null, null, 16)).ToArray();
        int[][] pools = [.. Enumerable.Range(0, 50).Select(_ => new[] { 90, 91 })];
        var batch = RankingBatcher.Build(histories, new float[]?[50], 4, numItems: 100, new Random(3), pools: pools, hardShare: share);
        var negatives = batch.Input.Candidates.data<long>().ToArray();                           // [50 x 6], one negative per step
        var fromPool = negatives.Count(n => n is 90 or 91) / (double)negatives.Length;
        Assert.DoesNotContain(negatives, n => n is >= 1 and <= 6 && share == 1);
        switch (share)
        {
            case 1:
                Assert.Equal(1.0, fromPool);
                break;
            case 0:
                Assert.InRange(fromPool, 0, 0.05);                                                // uniform draws hit 90 or 91 2% of the time
                break;
            default:
                Assert.InRange(fromPool, 0.4, 0.6);                                               // 300 steps (seeded): about half
                break;
        }
    }
}
