using GenRec.Data.Splits;
using GenRec.Evaluation;
using GenRec.Models.Baselines;

namespace GenRec.Tests.Evaluation;

public class MetricTests
{
    [Fact]
    public void MetricsOnHandMadeRanks()
    {
        var acc = new MetricAccumulator([1, 5, 10]);
        foreach (var rank in new[] { 0, 3, 7, 20 })
        {
            acc.Add(rank);
        }

        var m = acc.Result();
        Assert.Equal(0.25, m["hr@1"], 12);
        Assert.Equal(0.50, m["hr@5"], 12);
        Assert.Equal(0.75, m["hr@10"], 12);
        Assert.Equal(m["hr@10"], m["recall@10"]);
        Assert.Equal((1.0 + (1 / Math.Log2(5))) / 4, m["ndcg@5"], 12);
        Assert.Equal((1.0 + (1 / Math.Log2(5)) + (1 / Math.Log2(9))) / 4, m["ndcg@10"], 12);
        Assert.Equal((1.0 + 0.25 + 0.125 + (1.0 / 21)) / 4, m["mrr"], 12);
        Assert.Equal((1.0 + 0.25 + 0.125) / 4, m["mrr@10"], 12);
    }

    [Fact]
    public void RankBreaksTiesByItemId()
    {
        float[] scores = [0, 0.5f, 0.9f, 0.5f, 0.1f];
        Assert.Equal(0, TargetRank.RankOf(scores, 2));
        Assert.Equal(1, TargetRank.RankOf(scores, 1)); // tie with 3, lower id first
        Assert.Equal(2, TargetRank.RankOf(scores, 3));
        Assert.Equal(3, TargetRank.RankOf(scores, 4));
        Assert.Equal(1, TargetRank.RankAmong(scores, 3, [4, 1, 3]));
    }

    [Fact]
    public void FullRankingFiltersHistoryButNeverTheTarget()
    {
        // Items 1..5 scored 5,4,3,2,1: item 1 is best.
        var scorer = new FixedScorer([0, 5, 4, 3, 2, 1]);
        var withHistory = new EvalCase(0, [1, 2], 4);
        var filtered = Evaluator.Evaluate(scorer, [withHistory], new EvalOptions { Ks = [1, 5] });
        Assert.Equal(1, filtered.Ranks[0]);                           // only item 3 is above 4
        var unfiltered = Evaluator.Evaluate(scorer, [withHistory], new EvalOptions { Ks = [1, 5], FilterHistory = false });
        Assert.Equal(3, unfiltered.Ranks[0]);
        var repeat = Evaluator.Evaluate(scorer, [new EvalCase(0, [1, 2], 2)], new EvalOptions { Ks = [1] });
        Assert.Equal(0, repeat.Ranks[0]);                             // target 2 is in history but not masked
        Assert.Equal(1.0, repeat.Metrics["hr@1"]);
    }

    [Fact]
    public void TheInputWindowFilterLeavesOutOnlyTheLastItemsOfTheHistory()
    {
        // Items 1..6 scored 6..1; history oldest first [1, 2, 3], target 5 (score 2).
        var scorer = new FixedScorer([0, 6, 5, 4, 3, 2, 1]);
        var c = new EvalCase(0, [1, 2, 3], 5);
        Assert.Equal(1, Evaluator.Evaluate(scorer, [c], new EvalOptions { Ks = [1] }).Ranks[0]);                      // only 4 above
        var window = Evaluator.Evaluate(scorer, [c], new EvalOptions { Ks = [1], HistoryWindow = 2 });
        Assert.Equal(2, window.Ranks[0]);                                                                           // 1 (outside the window) and 4 above
        Assert.Contains("input window filtered (the last 2 history items)", window.Protocol);
        Assert.Equal(1, Evaluator.Evaluate(scorer, [c], new EvalOptions { Ks = [1], HistoryWindow = 5 }).Ranks[0]); // window longer than the history
    }

    [Fact]
    public void SampledNegativesAvoidHistoryAndAreReproducible()
    {
        var c = new EvalCase(3, [1, 2, 3, 4, 5], 6);
        var a = Evaluator.SampleNegatives(c, 20, 100, seed: 7);
        var b = Evaluator.SampleNegatives(c, 20, 100, seed: 7);
        Assert.Equal(a, b);
        Assert.Equal(20, a.Distinct().Count());
        Assert.All(a, i => Assert.InRange(i, 7, 100));
        Assert.NotEqual(a, Evaluator.SampleNegatives(c, 20, 100, seed: 8));
        Assert.Equal(94, Evaluator.SampleNegatives(c, 1000, 100, seed: 7).Length); // capped at what exists

        // Scores = item id: the target (6) beats every sampled negative below it.
        var scorer = new FixedScorer(Enumerable.Range(0, 101).Select(i => (float)-i).ToArray());
        var result = Evaluator.Evaluate(scorer, [c], new EvalOptions { SampledNegatives = 20, Seed = 7, Ks = [1] });
        Assert.Equal(0, result.Ranks[0]);
    }

    [Fact]
    public void BaselinesCountPopularityAndTransitions()
    {
        int[][] train = [[1, 2, 3], [2, 3], [3, 1]];
        var pop = new MostPopular(train, 4);
        Assert.Equal([0f, 2, 2, 3, 0], pop.Counts.ToArray());
        var transitions = new ItemTransitions(train, 4);
        Assert.Equal(2, transitions.Count(2, 3));
        Assert.Equal(1, transitions.Count(3, 1));
        var scores = new float[5];
        transitions.Score([new EvalCase(0, [1, 2], 0)], scores);
        Assert.True(scores[3] > 2 && scores[3] < 3);                // two transitions + popularity tie-break
        Assert.True(scores[1] > scores[4]);                         // no transition: popularity decides
        var result = Evaluator.Evaluate(transitions, [new EvalCase(0, [1, 2], 3)], new EvalOptions { Ks = [1] });
        Assert.Equal(1.0, result.Metrics["hr@1"]);
    }

    // Scores item j by -|j - (history length + user)|: each case's ranking depends on the case alone.
    private static PeakScorer LengthPlusUser() => new(12, c => c.History.Length + c.User);

    [Fact]
    public void BatchesGroupHistoriesOfSimilarLengthAndRanksComeBackInTheCasesOrder()
    {
        EvalCase[] cases = [new(0, [1, 2, 3, 4, 5], 5), new(1, [9], 4), new(2, [1, 2, 3, 4], 3), new(0, [7, 8], 2), new(3, [1, 2, 3], 6)];
        var scorer = LengthPlusUser();
        var options = new EvalOptions { Ks = [1, 5], BatchSize = 2, FilterHistory = false };

        var batched = Evaluator.Evaluate(scorer, cases, options);

        Assert.Equal([[1, 2], [3, 4], [5]], scorer.Batches);                           // by length, not by position
        var oneByOne = cases.Select(c => Evaluator.Evaluate(LengthPlusUser(), [c], options with { BatchSize = 1 }).Ranks[0]).ToArray();
        Assert.Equal(oneByOne, batched.Ranks);                                         // each rank is its own case's
        Assert.Equal([0, 3, 5, 0, 0], batched.Ranks);                                  // by hand: the peak at length + user, ties to the lower id
        Assert.Equal(0.6, batched.Metrics["hr@1"], 12);
        Assert.Equal(0.8, batched.Metrics["hr@5"], 12);
    }
}
