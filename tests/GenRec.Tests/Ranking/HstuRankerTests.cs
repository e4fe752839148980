using GenRec.Configuration;
using GenRec.Models.Ranking;
using GenRec.Tests.Training;
using GenRec.Training.Ranking;
using static TorchSharp.torch;

namespace GenRec.Tests.Ranking;

/// <summary>The ranking model's attention pattern, M-FALCON scoring against one-by-one, and end-to-end learning.</summary>
public class HstuRankerTests
{
    private static HstuRanker Model(bool historyAware = true, bool timeBias = true)
    {
        manual_seed(3);
        var model = new HstuRanker(new RankingConfig { EmbeddingDim = 16, MaxHistory = 20, NumBlocks = 2, NumHeads = 2, HistoryAware = historyAware, TimeBias = timeBias }, numItems: 40, numTasks: 2);
        model.eval();
        return model;
    }

    private static RankingHistory History(int n) => new(
        Enumerable.Range(0, n).Select(i => 1 + ((i * 7) % 40)).ToArray(),
        Enumerable.Range(0, n).Select(i => 1L + (i % 10)).ToArray(),
        Enumerable.Range(0, n).Select(i => 1_000_000L + (i * 5_000L)).ToArray());

    [Fact]
    public void BatchedCandidateScoringEqualsOneByOne()
    {
        var model = Model();
        var history = History(12);
        var candidates = Enumerable.Range(1, 37).ToArray();
        var oneByOne = CandidateScorer.Score(model, history, candidates, 2_000_000, microBatch: 1);
        foreach (var microBatch in new[] { 5, 16, 64 })
        {
            var batched = CandidateScorer.Score(model, history, candidates, 2_000_000, microBatch);
            Assert.Equal(oneByOne.Length, batched.Length);
            Assert.All(oneByOne.Zip(batched), p => Assert.Equal(p.First, p.Second, 1e-5));
        }
    }

    [Fact]
    public void ItemTokensScoreLikeCandidatesWithTheSamePrefix()
    {
        // The training positive (item token t, causal) must equal that item scored as a candidate after items 0..t-1.
        var model = Model();
        var h = History(10);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var ids = tensor(h.Items.Select(i => (long)i).ToArray()).view(1, 10);
        var times = tensor(h.Times!).view(1, 10);
        var input = new RankingInput(ids, tensor(h.Actions).view(1, 10), times, ids, arange(10, dtype: int64).view(1, 10), times);
        var (historyLogits, candidateLogits) = model.Forward(input);
        Assert.True(historyLogits.allclose(candidateLogits, rtol: 0, atol: 1e-5));
        Assert.False(historyLogits[0, 9].allclose(historyLogits[0, 8]));
    }

    [Fact]
    public void HistoryNeverSeesCandidatesAndCandidatesNeverSeeEachOther()
    {
        var model = Model();
        var h = History(8);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var ids = tensor(h.Items.Select(i => (long)i).ToArray()).view(1, 8);
        (Tensor History, Tensor Candidates) Run(long[] candidates) => model.Forward(new RankingInput(
            ids, tensor(h.Actions).view(1, 8), null, tensor(candidates).view(1, 3), full(1, 3, 8L, dtype: int64), null));
        var a = Run([5, 6, 7]);
        var b = Run([30, 6, 7]);
        Assert.True(a.History.allclose(b.History, rtol: 0, atol: 1e-6));
        Assert.True(a.Candidates[0, 1..].allclose(b.Candidates[0, 1..], rtol: 0, atol: 1e-6));
        Assert.False(a.Candidates[0, 0].allclose(b.Candidates[0, 0]));
    }

    [Fact]
    public void TheBaselineIgnoresHistoryAndTheRankerDoesNot()
    {
        var candidates = new[] { 3, 9, 27 };
        var baseline = Model(historyAware: false);
        Assert.Equal(CandidateScorer.Score(baseline, History(5), candidates, 0), CandidateScorer.Score(baseline, History(11), candidates, 0));
        var ranker = Model();
        Assert.NotEqual(CandidateScorer.Score(ranker, History(5), candidates, 2_000_000), CandidateScorer.Score(ranker, History(11), candidates, 2_000_000));
    }

    [Fact]
    public void RankerLearnsPlantedTransitionsAndBeatsTheHistoryFreeBaseline()
    {
        using var dir = new TempDir();
        var data = TrainingTests.CycleDataset(users: 100, items: 30, seed: 5, timed: true, maxLength: 14);
        RankingRunConfig Config(bool aware) => new()
        {
            Seed = 7,
            Model = new RankingConfig { EmbeddingDim = 16, MaxHistory = 16, NumBlocks = 1, NumHeads = 1, Dropout = 0.1, HistoryAware = aware },
            Train = new RankingTrainConfig { BatchSize = 16, Epochs = 30, LearningRate = 5e-3, Patience = 0, EvalNegatives = 10 },
        };
        var ranker = RankingTrainer.Run(Config(true), data, Path.Combine(dir.Path, "ranker"));
        var baseline = RankingTrainer.Run(Config(false), data, Path.Combine(dir.Path, "baseline"));
        var log = File.ReadAllText(Path.Combine(dir.Path, "ranker", "metrics.jsonl"));
        Assert.True(ranker.Test["engage_auc"] > 0.9, log + $"ranker engage AUC {ranker.Test["engage_auc"]:F3}");
        Assert.True(ranker.Test["engage_auc"] > baseline.Test["engage_auc"] + 0.2, $"ranker {ranker.Test["engage_auc"]:F3} vs baseline {baseline.Test["engage_auc"]:F3}");
        Assert.Contains("like_auc", ranker.Test.Keys);
        Assert.True(File.Exists(Path.Combine(dir.Path, "ranker", "curve.png")));

        // Resuming a finished run changes nothing; the same seed gives the same metrics.
        var again = RankingTrainer.Run(Config(true), data, Path.Combine(dir.Path, "again"));
        Assert.Equal(ranker.Test, again.Test);
    }
}

/// <summary>The ranker with user feature tokens before the history.</summary>
public sealed class HstuRankerFeatureTests
{
    [Fact]
    public void FeatureTokensKeepBatchedScoringExactAndChangeTheScores()
    {
        manual_seed(5);
        var config = new RankingConfig
        {
            EmbeddingDim = 16, MaxHistory = 20, NumBlocks = 2, NumHeads = 2, Dropout = 0,
            Features = new FeatureConfig { User = ["gender", "age"], UserCardinalities = [3, 5] },
        };
        using var model = new HstuRanker(config, numItems: 40, numTasks: 2);
        model.eval();
        Assert.Equal(2, model.UserFeatureCount);
        var items = Enumerable.Range(0, 9).Select(i => 1 + ((i * 7) % 40)).ToArray();
        var actions = Enumerable.Range(0, 9).Select(i => 1L + (i % 10)).ToArray();
        var times = Enumerable.Range(0, 9).Select(i => 1_000_000L + (i * 5_000L)).ToArray();
        var female = new RankingHistory(items, actions, times, [1, 2]);
        var candidates = Enumerable.Range(1, 23).ToArray();
        var oneByOne = CandidateScorer.Score(model, female, candidates, 2_000_000, microBatch: 1);
        var batched = CandidateScorer.Score(model, female, candidates, 2_000_000, microBatch: 8);
        Assert.All(oneByOne.Zip(batched), p => Assert.Equal(p.First, p.Second, 1e-5));
        Assert.All(oneByOne, p => Assert.True(float.IsFinite(p)));

        var male = CandidateScorer.Score(model, female with { UserFeatures = [2, 2] }, candidates, 2_000_000);
        var unknown = CandidateScorer.Score(model, female with { UserFeatures = null }, candidates, 2_000_000);
        Assert.NotEqual(oneByOne, male);
        Assert.NotEqual(oneByOne, unknown);

        // The training pass (history item tokens as candidates) runs with features too, and their tables learn.
        model.train();
        var input = RankingInput.AfterHistories([female, female with { UserFeatures = [2, 0] }], [[3, 4], [5, 6]], [2_000_000, 2_000_000], timed: true, userFeatures: 2);
        var (history, scored) = model.Forward(input);
        Assert.Equal([2L, 9L, 2L], history.shape);
        Assert.Equal([2L, 2L, 2L], scored.shape);
        (history.sum() + scored.sum()).backward();
        Assert.Contains(model.named_parameters(), p => p.name.Contains("userTokens", StringComparison.Ordinal) && p.parameter.grad is { } g && g.abs().sum().item<float>() > 0);
    }
}
