using GenRec.Configuration;
using GenRec.Data;
using GenRec.Evaluation;
using GenRec.Models;
using GenRec.Scoring;
using GenRec.Data.Splits;
using GenRec.Training.Losses;
using static TorchSharp.torch;

namespace GenRec.Tests.Catalog;

/// <summary>
/// Items outside a run's catalogue (the cold items of data.cold_item_share): no loss scores or samples them, their rows
/// get no gradient, and validation does not rank them. Checked against a brute-force softmax over the trained items.
/// </summary>
public sealed class TrainingVocabularyTests
{
    private static readonly bool[] Cold = [false, false, true, false, false, true, false, false]; // items 2 and 5 of 1..7

    private static SequentialRecommender Model(int seed)
    {
        manual_seed(seed);
        return new SequentialRecommender(new ModelConfig { EmbeddingDim = 4, MaxSequenceLength = 4, FfnHiddenDim = 4 }, numItems: 7);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    public void FullSoftmaxRunsOverTheTrainedItemsOnly(double smoothing)
    {
        var model = Model(3);
        var states = nn.functional.normalize(randn(4, 4), dim: 1);
        long[] positives = [1, 7, 3, 6];
        using var vocabulary = new TrainingVocabulary(Cold);
        var value = new FullSoftmaxLoss(0.5, smoothing) { Vocabulary = vocabulary }.Compute(model, states, tensor(positives), new Generator(1)).item<float>();

        var items = model.AllItemEmbeddings().detach();
        long[] trained = [1, 3, 4, 6, 7];
        double total = 0;
        for (var m = 0; m < 4; m++)
        {
            var logits = trained.Select(i => (states[m] * items[i]).sum().item<float>() / 0.5).ToArray();
            var logZ = Math.Log(logits.Sum(Math.Exp));
            var logP = logits.Select(l => l - logZ).ToArray();
            total += -((1 - smoothing) * logP[Array.IndexOf(trained, positives[m])]) - (smoothing * logP.Average());
        }

        Assert.Equal(total / 4, value, 4);
    }

    [Theory]
    [InlineData(LossKind.FullSoftmax)]
    [InlineData(LossKind.SampledSoftmax)]
    [InlineData(LossKind.Bce)]
    public void ItemsOutsideTheCatalogueGetNoGradient(LossKind kind)
    {
        var model = Model(5);
        using var vocabulary = new TrainingVocabulary(Cold);
        var loss = LossFactory.Create(new TrainConfig { Loss = kind, NumNegatives = 64 }, vocabulary);
        var states = model.forward(tensor(new long[,] { { 1, 3, 4, 6 }, { 7, 6, 1, 3 } })).reshape(8, -1);   // [8, D]
        loss.Compute(model, states, tensor(new long[] { 3, 4, 6, 7, 6, 1, 3, 4 }), new Generator(2)).backward();

        var table = model.named_parameters().Single(p => p.name.StartsWith("items.", StringComparison.Ordinal) && p.parameter.shape[0] >= 8).parameter;
        var grad = table.grad!;                                                                               // [8+, D]
        Assert.Equal(0f, grad[2].abs().sum().item<float>());
        Assert.Equal(0f, grad[5].abs().sum().item<float>());
        Assert.True(grad[1].abs().sum().item<float>() > 0, "a trained item that is only a negative still learns");
    }

    [Fact]
    public void NegativesAreDrawnFromTheTrainedItemsOnly()
    {
        using var vocabulary = new TrainingVocabulary(Cold);
        var drawn = vocabulary.Sample([5000], new Generator(7), CPU).data<long>().ToArray();
        Assert.DoesNotContain(2L, drawn);
        Assert.DoesNotContain(5L, drawn);
        Assert.Equal([1L, 3, 4, 6, 7], drawn.Distinct().Order());
    }

    [Fact]
    public void OutlivesTheDisposeScopeOfTheStepThatFirstUsedIt()
    {
        using var vocabulary = new TrainingVocabulary(Cold);
        using (NewDisposeScope())
        {
            vocabulary.Sample([4], new Generator(1), CPU);
        }

        using (NewDisposeScope())
        {
            Assert.Equal([0L, 4L], vocabulary.ColumnOf(tensor(new long[] { 1, 7 })).data<long>().ToArray());
        }
    }

    [Fact]
    public void AllItemsInTheCatalogueIsNoVocabulary()
    {
        Assert.Null(TrainingVocabulary.Of(new bool[8]));
        Assert.Throws<ArgumentException>(() => new TrainingVocabulary([false, true, true]));
    }

    [Fact]
    public void ATrainedRunLeavesTheColdItemsRowsAsTheyStarted()
    {
        // No weight decay: a row that no loss touches keeps its initial values exactly; every warm row learns.
        using var dir = new TempDir();
        var data = GenRec.Tests.Training.TrainingTests.CycleDataset(users: 60);
        var small = GenRec.Tests.Training.TrainingTests.SmallRun(2);
        var config = small with { Data = new DataConfig { ColdItemShare = 0.2 }, Train = small.Train with { WeightDecay = 0, Loss = LossKind.FullSoftmax } };
        var checkpoint = GenRec.Training.Trainer.Run(config, data, dir.Path).Checkpoint;
        using var opened = GenRec.Checkpoints.Checkpoint.Open(checkpoint, new() { Dataset = data, WithCatalog = false });
        using var trained = opened.TakeRetrieval("test");
        manual_seed(config.Seed);
        using var initial = new SequentialRecommender(config.Model, data.NumItems);

        var (_, cold) = GenRec.Training.Trainer.SplitOf(data, config);
        Assert.Contains(true, cold);
        for (var item = 1; item <= data.NumItems; item++)
        {
            var same = trained.IdEmbeddings[item].eq(initial.IdEmbeddings[item]).all().item<bool>();
            Assert.True(cold[item] == same, $"item {item} ({(cold[item] ? "cold" : "warm")}): {(same ? "unchanged" : "changed")}");
        }
    }

    [Fact]
    public void UnrankedItemsNeverOutrankATarget()
    {
        // Item 5 scores highest for everyone; left unranked, the target moves up one place.
        var scorer = new FixedScorer([0f, 1f, 2f, 3f, 4f, 9f, 5f, 6f]);
        EvalCase[] cases = [new EvalCase(0, [1], 4, null, 0, null)];
        var ranked = Evaluator.Evaluate(scorer, cases, new EvalOptions { FilterHistory = false });
        var unranked = Evaluator.Evaluate(scorer, cases, new EvalOptions { FilterHistory = false, Unranked = Cold });
        Assert.Equal(ranked.Ranks[0] - 1, unranked.Ranks[0]);
        Assert.Throws<ArgumentException>(() => Evaluator.Evaluate(scorer, cases, new EvalOptions { Unranked = new bool[3] }));
        Assert.Throws<ArgumentException>(() => Evaluator.Evaluate(scorer, cases, new EvalOptions { Unranked = Cold, SampledNegatives = 3 }));
    }

    private sealed class FixedScorer(float[] row) : IScorer
    {
        public int NumItems => row.Length - 1;

        public void Score(IReadOnlyList<EvalCase> batch, Span<float> scores)
        {
            for (var b = 0; b < batch.Count; b++)
            {
                row.CopyTo(scores.Slice(b * row.Length, row.Length));
            }
        }
    }
}
