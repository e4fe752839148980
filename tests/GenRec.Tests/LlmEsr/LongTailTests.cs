using GenRec.Data.Splits;
using GenRec.Evaluation;
using GenRec.Evaluation.LongTail;

namespace GenRec.Tests.LlmEsr;

public class LongTailTests
{
    // Popularity: item 1 x3, item 2 x2, item 5 x2, items 3 and 4 x1. Lengths: user 0: 3, user 1: 2, user 2: 5.
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
