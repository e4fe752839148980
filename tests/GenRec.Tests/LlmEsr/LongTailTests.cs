using GenRec.Data.Splits;
using GenRec.Evaluation;
using GenRec.Evaluation.LongTail;

namespace GenRec.Tests.LlmEsr;

public class LongTailTests
{
    // Popularity: item 1 x4, item 2 x2, item 5 x2, items 3 and 4 x1. Lengths: user 0: 3, user 1: 2, user 2: 5.
    private static readonly int[][] Sequences = [[1, 1, 2], [1, 3], [1, 2, 4, 5, 5]];

    [Fact]
    public void SharesPickTheMostPopularItemsAndLongestUsersWithTiesByLowerId()
    {
        var groups = LongTailGroups.ByShare(Sequences, numItems: 5, headItemShare: 0.4, headUserShare: 0.34);
        // 40% of 5 items = 2: item 1 (3), then items 2 and 5 tie at 2 and the lower id wins.
        Assert.Equal(new[] { false, true, true, false, false, false }, groups.HeadItems);
        // ceil(34% of 3 users) = 2: users 2 (5 items) and 0 (3 items).
        Assert.Equal(new[] { true, false, true }, groups.HeadUsers);

        var defaults = LongTailGroups.ByShare(Sequences, numItems: 5);
        Assert.Equal(new[] { false, true, false, false, false, false }, defaults.HeadItems);
        Assert.Equal(new[] { false, false, true }, defaults.HeadUsers);

        var thresholds = LongTailGroups.ByThreshold(Sequences, numItems: 5, itemInteractions: 1, userLength: 2);
        Assert.Equal(new[] { false, true, true, false, false, true }, thresholds.HeadItems);
        Assert.Equal(new[] { true, false, true }, thresholds.HeadUsers);
    }

    [Fact]
    public void ThePapersThresholdsMakeItemsWithFewerInteractionsAndShorterUsersTheTail()
    {
        // The official code: tail item iff popularity < ts_item, short user iff length < ts_user (Beauty: 4 and 9).
        Assert.Equal([0, 4, 2, 1, 1, 2], LongTailGroups.Popularity(Sequences, 5));          // interactions, repeats counted
        var paper = LongTailGroups.Paper(Sequences, numItems: 5, tailItemBelow: 3, tailUserBelow: 3);
        Assert.Equal(new[] { false, true, false, false, false, false }, paper.HeadItems);   // only item 1 has 3 or more
        Assert.Equal(new[] { true, false, true }, paper.HeadUsers);                          // lengths 3, 2, 5
        var beauty = LongTailGroups.Paper(Sequences, numItems: 5);
        Assert.Equal(new[] { false, true, false, false, false, false }, beauty.HeadItems);  // item 1 has exactly 4: head
        Assert.All(beauty.HeadUsers, Assert.False);                                          // nor 9 items
        Assert.Contains("fewer than 4", beauty.Rule);
    }

    [Fact]
    public void PopularityNegativesFollowTheWeightsAndAvoidTheHistory()
    {
        const int items = 50;
        var weights = Enumerable.Range(0, items + 1).Select(i => i == 0 ? 0.0 : i <= 5 ? 100.0 : 1.0).ToArray(); // items 1-5 weigh 100x
        var cumulative = new double[items + 1];
        for (var i = 1; i <= items; i++)
        {
            cumulative[i] = cumulative[i - 1] + weights[i];
        }

        var counts = new int[items + 1];
        for (var user = 0; user < 400; user++)
        {
            var c = new EvalCase(user, [1, 6], 7);
            var negatives = Evaluator.SampleNegatives(c, 5, items, seed: 3, cumulative);
            Assert.Equal(5, negatives.Distinct().Count());
            Assert.DoesNotContain(1, negatives);                                             // history
            Assert.DoesNotContain(6, negatives);
            Assert.DoesNotContain(7, negatives);                                             // target
            Assert.Equal(negatives, Evaluator.SampleNegatives(c, 5, items, seed: 3, cumulative)); // deterministic
            foreach (var n in negatives)
            {
                counts[n]++;
            }
        }

        // Items 2-5 (weight 100 each, 400 of 444 remaining weight) fill most draws; uniform sampling would give them 4 of 47.
        var heavy = counts[2] + counts[3] + counts[4] + counts[5];
        Assert.True(heavy > 0.6 * 2000, $"heavy items drawn {heavy} of 2000 times");
        Assert.True(counts.Skip(8).Sum() > 0, "light items are still drawn");
    }

    [Fact]
    public void ReportSplitsMetricsByTargetItemAndUser()
    {
        var groups = LongTailGroups.ByShare(Sequences, numItems: 5, headItemShare: 0.4, headUserShare: 0.34);
        EvalCase[] cases =
        [
            new(0, [1], 2),   // head item, head user, rank 0
            new(1, [1], 3),   // tail item, tail user, rank 4
            new(2, [1], 4),   // tail item, head user, rank 30
        ];
        var result = new EvalResult(new(), [0, 4, 30], "hand-made");
        var report = LongTailReport.Compute(result, cases, groups, [1, 5, 10]);

        Assert.Equal(3, report["overall"]["count"]);
        Assert.Equal(2.0 / 3, report["overall"]["hr@5"], 10);
        Assert.Equal(1, report["head_item"]["count"]);
        Assert.Equal(1.0, report["head_item"]["ndcg@10"], 10);
        Assert.Equal(2, report["tail_item"]["count"]);
        Assert.Equal(0.5, report["tail_item"]["hr@10"], 10);
        Assert.Equal(0.5 / Math.Log2(6), report["tail_item"]["ndcg@10"], 10);   // (1/log2(4 + 2) + 0) / 2
        Assert.Equal(2, report["head_user"]["count"]);
        Assert.Equal(0.5, report["head_user"]["hr@1"], 10);
        Assert.Equal(1, report["tail_user"]["count"]);
        Assert.Equal(0.0, report["tail_user"]["hr@1"], 10);
        Assert.Equal(1.0, report["tail_user"]["hr@5"], 10);
        Assert.Throws<ArgumentException>(() => LongTailReport.Compute(new EvalResult(new(), [0], "x"), cases, groups));
    }
}
