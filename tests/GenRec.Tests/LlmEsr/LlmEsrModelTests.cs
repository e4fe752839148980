using GenRec.Scoring;
using GenRec.Checkpoints;
using GenRec.Configuration;
using GenRec.Data;
using GenRec.Data.Splits;
using GenRec.Evaluation;
using GenRec.Models;
using GenRec.Models.Baselines;
using GenRec.Models.LlmEsr;
using GenRec.Tests.Training;
using GenRec.Training;
using GenRec.Training.LlmEsr;
using GenRec.Util;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Tests.LlmEsr;

public class LlmEsrModelTests
{
    /// <summary>Text embeddings for the cycle dataset: neighbouring items on the cycle have nearby vectors (a point on a circle, plus noise).</summary>
    internal static float[] CycleText(SequenceDataset data, int dim = 8, int seed = 2)
    {
        var rng = new Random(seed);
        var values = new float[(data.NumItems + 1) * dim];
        for (var i = 1; i <= data.NumItems; i++)
        {
            var position = int.Parse(data.ItemKeys[i], System.Globalization.CultureInfo.InvariantCulture);
            var angle = 2 * Math.PI * position / data.NumItems;
            values[i * dim] = (float)Math.Cos(angle);
            values[(i * dim) + 1] = (float)Math.Sin(angle);
            for (var d = 2; d < dim; d++)
            {
                values[(i * dim) + d] = (float)(0.1 * ((rng.NextDouble() * 2) - 1));
            }
        }

        return values;
    }

    internal static RunConfig LlmEsrRun(string encoder, int epochs, string npy, string fusion = "cross_attention", string refresh = "step", string alignment = "mse")
    {
        var run = TrainingTests.SmallRun(epochs);
        return run with
        {
            Model = run.Model with { Encoder = encoder, NumHeads = 2, OutputNorm = OutputNorm.None, SemanticView = new SemanticViewConfig { Fusion = ClosedChoice.Parse<ViewFusion>(fusion, "fusion") } },
            Train = run.Train with { Loss = LossKind.Bce, MaskProbability = 0.4 },
            LlmEsr = new LlmEsrConfig { Embeddings = npy, SimilarUsers = 4, TeachersPerStep = 2, TeacherRefresh = ClosedChoice.Parse<TeacherRefresh>(refresh, "refresh"), Alignment = ClosedChoice.Parse<DistillationAlignment>(alignment, "alignment"), Beta = 0.1 },
        };
    }

    private static SequentialRecommender Model(SequenceDataset data, string encoder = "sasrec", string fusion = "cross_attention", double? pcaStd = null)
    {
        manual_seed(3);
        var config = new ModelConfig { Encoder = encoder, EmbeddingDim = 8, MaxSequenceLength = 10, FfnHiddenDim = 8, NumBlocks = 1, NumHeads = 2, OutputNorm = OutputNorm.None, Dropout = 0.0, SemanticView = new SemanticViewConfig { SemanticDim = 8, Fusion = ClosedChoice.Parse<ViewFusion>(fusion, "fusion") } };
        var model = new SequentialRecommender(config, data.NumItems);
        model.LoadSemantics(CycleText(data), pcaInit: true, pcaStd);
        return model;
    }

    [Fact]
    public void DualViewConcatenatesViewsInitialisesIdsByPcaAndKeepsTheTextTableFrozen()
    {
        var data = TrainingTests.CycleDataset(users: 20, items: 12);
        var model = Model(data);
        Assert.Equal(16, model.Config.OutputDim);
        Assert.Equal(new long[] { 13, 16 }, model.AllItemEmbeddings().shape);
        var ids = tensor(new long[] { 1, 2, 3, 0, 4, 5, 6, 7 }, [2, 4]);
        Assert.Equal(new long[] { 2, 4, 16 }, model.forward(ids).shape);
        Assert.True(model.EmbedItems(tensor(new long[] { 4, 9 })).allclose(model.AllItemEmbeddings().index_select(0, tensor(new long[] { 4, 9 })), 1e-6, 1e-6));

        // ID rows 1..I are the PCA projections of the text table; padding stays zero.
        var (projections, _) = Pca.Fit(model.SemanticView!.Table.narrow(0, 1, data.NumItems), 8);
        Assert.True(model.IdEmbeddings.narrow(0, 1, data.NumItems).allclose(projections, 1e-5, 1e-5));
        Assert.Equal(0, model.IdEmbeddings[0].abs().sum().item<float>());

        // Rescaled: the same directions at the requested overall spread.
        var rescaled = Model(data, pcaStd: 0.02);
        var ids1 = rescaled.IdEmbeddings.narrow(0, 1, data.NumItems);
        Assert.Equal(0.02, ids1.std().item<float>(), 4);
        Assert.True(ids1.allclose(projections * (0.02 / projections.std().item<float>()), 1e-5, 1e-6));

        // One optimiser step moves the adapter, never the frozen table (which has no gradient).
        var table = model.SemanticView.Table.clone();
        var adapterBefore = model.SemanticView.forward(tensor(new long[] { 3 })).clone();
        var optimizer = optim.AdamW(model.parameters().Where(p => p.requires_grad), 0.05);
        model.forward(ids).sum().backward();
        optimizer.step();
        Assert.False(model.SemanticView.Table.requires_grad);
        Assert.True(model.SemanticView.Table.eq(table).all().item<bool>());
        Assert.False(model.SemanticView.forward(tensor(new long[] { 3 })).allclose(adapterBefore));
    }

    [Theory]
    [InlineData("sasrec", "cross_attention")]
    [InlineData("gru4rec", "cross_attention")]
    [InlineData("sasrec", "sum")]
    public void CausalBackbonesStayCausalThroughTheCrossAttention(string encoder, string fusion)
    {
        var data = TrainingTests.CycleDataset(users: 20, items: 12);
        var model = Model(data, encoder, fusion);
        model.eval();
        using var _ = no_grad();
        var a = model.forward(tensor(new long[] { 1, 2, 3, 4, 5 }, [1, 5]));
        var b = model.forward(tensor(new long[] { 1, 2, 3, 9, 11 }, [1, 5]));
        Assert.True(a.narrow(1, 0, 3).allclose(b.narrow(1, 0, 3), 1e-5, 1e-6), "a state read a later item");
        Assert.False(a.narrow(1, 3, 2).allclose(b.narrow(1, 3, 2), 1e-5, 1e-6));
        Assert.Equal(fusion == "sum" ? 8 : 16, a.shape[2]);
    }

    [Fact]
    public void SingleViewAblationsReadOnlyTheirView()
    {
        var data = TrainingTests.CycleDataset(users: 20, items: 12);
        var ids = tensor(new long[] { 1, 2, 3, 0, 4, 5, 6, 7 }, [2, 4]);
        foreach (var fusion in new[] { "text", "id" })
        {
            var model = Model(data, fusion: fusion);
            Assert.Equal(8, model.Config.OutputDim);
            model.forward(ids).sum().backward();
            model.AllItemEmbeddings().sum().backward();
            var idTable = model.named_parameters().Single(p => p.name.StartsWith("items.", StringComparison.Ordinal)).parameter;
            var idGradient = idTable.grad is { } g ? g.abs().sum().item<float>() : 0f;
            var adapterGradient = model.SemanticView!.parameters().Where(p => p.requires_grad).Sum(p => p.grad is { } pg ? pg.abs().sum().item<float>() : 0f);
            if (fusion == "text")
            {
                // The item table is the adapted text: the ID table is never read.
                Assert.Equal(0f, idGradient);
                Assert.True(adapterGradient > 0);
                Assert.True(model.AllItemEmbeddings().allclose(model.SemanticView.FirstRows(data.NumItems + 1), 1e-6, 1e-6));
            }
            else
            {
                // The ID table only (PCA-initialised from the text): the adapter is never read.
                Assert.True(idGradient > 0);
                Assert.Equal(0f, adapterGradient);
                var (projections, _) = Pca.Fit(model.SemanticView.Table.narrow(0, 1, data.NumItems), 8);
                Assert.True(model.IdEmbeddings.narrow(0, 1, data.NumItems).allclose(projections, 1e-5, 1e-5));
            }
        }
    }

    [Theory]
    [InlineData("mse", "step")]
    [InlineData("infonce", "step")]
    [InlineData("mse", "epoch")]
    public void DistillationGradientDoesNotFlowIntoTheTeacher(string alignment, string refresh)
    {
        var data = TrainingTests.CycleDataset(users: 30, items: 12);
        var model = Model(data);
        model.train();
        var split = SequenceSplit.Create(data, SplitKind.LeaveOneOut);
        var similar = SimilarUsers.Find(SimilarUsers.Profiles(model.SemanticView!.Table, split.Train), 3);
        var config = new LlmEsrConfig { Alignment = ClosedChoice.Parse<DistillationAlignment>(alignment, "alignment"), TeacherRefresh = ClosedChoice.Parse<TeacherRefresh>(refresh, "refresh"), Alpha = 0.5, TeachersPerStep = 2 };
        var distillation = new SelfDistillation(config, similar, split.Train, 10);
        distillation.BeginEpoch(model, 8);
        int[] users = [0, 1, 2, 3];

        // The student is a free leaf: every gradient reaching the model's parameters would have come through the teacher.
        var student = randn(4, 16).requires_grad_(true);
        var teacher = distillation.TeacherStates(model, users, new Random(1));
        Assert.False(teacher.requires_grad);
        var loss = distillation.Loss(model, users, student, tensor(new long[] { 0 }), new Random(1));
        model.zero_grad();
        loss.backward();
        // (InfoNCE's learned temperature belongs to the loss, not to either representation.)
        foreach (var (name, p) in model.named_parameters().Where(p => p.name != "alignmentLogTemperature"))
        {
            Assert.True(p.grad is null || p.grad.abs().sum().item<float>() == 0, $"{name} got a gradient through the teacher");
        }

        Assert.True(student.grad!.abs().sum().item<float>() > 0);
        if (alignment == "mse")
        {
            // d/ds alpha * mean((s - t)^2) = 2 * alpha * (s - t) / numel, with the same teacher sample.
            var expected = 2 * 0.5 * (student.detach() - teacher) / student.numel();
            Assert.True(student.grad.allclose(expected, 1e-5, 1e-6));
        }
    }

    [Theory]
    [InlineData("drop_last")]
    [InlineData("whole")]
    public void TeachersReadTheirHistoryUpToTheStudentsStage(string teacherHistory)
    {
        var data = TrainingTests.CycleDataset(users: 30, items: 12);
        var model = Model(data);
        var split = SequenceSplit.Create(data, SplitKind.LeaveOneOut);
        var similar = SimilarUsers.Find(SimilarUsers.Profiles(model.SemanticView!.Table, split.Train), 3);
        var config = new LlmEsrConfig { TeacherRefresh = TeacherRefresh.Epoch, TeacherHistory = ClosedChoice.Parse<TeacherHistory>(teacherHistory, "teacher_history") };
        var distillation = new SelfDistillation(config, similar, split.Train, 10);
        distillation.BeginEpoch(model, 8);
        model.eval();
        int[] users = [0, 5];
        var teacher = distillation.TeacherStates(model, users, new Random(1));           // [2, D']

        // By hand: each similar user's state after the last item it reads, averaged.
        using var _ = no_grad();
        for (var i = 0; i < users.Length; i++)
        {
            var states = similar[users[i]].Select(t =>
            {
                var history = (teacherHistory == "drop_last" ? split.Train[t][..^1] : split.Train[t]).TakeLast(10).ToArray(); // the model reads 10
                var ids = tensor(history.Select(item => (long)item).ToArray()).view(1, -1);
                return model.forward(ids)[0, history.Length - 1];                            // [D']
            }).ToArray();
            Assert.True(stack(states).mean([0]).allclose(teacher[i], 1e-5, 1e-5), $"{teacherHistory}: user {users[i]}");
        }

        Assert.Contains("llm_esr.teacher_history: 'last_two' is not a choice (available: drop_last, whole)", Assert.Throws<ArgumentException>(() => ClosedChoice.Parse<TeacherHistory>("last_two", "llm_esr.teacher_history")).Message);
    }

    [Theory]
    [InlineData("sasrec", 10, "step", "mse")]
    [InlineData("gru4rec", 10, "epoch", "mse")]
    [InlineData("bert4rec", 25, "epoch", "infonce")]
    public void LlmEsrTrainsOnEachBackboneAndRoundTrips(string encoder, int epochs, string refresh, string alignment)
    {
        using var dir = new TempDir();
        var data = TrainingTests.CycleDataset(users: 100, items: 30, seed: 5, maxLength: 14);
        var npy = Path.Combine(dir.Path, "text.npy");
        NpyFile.Write(npy, CycleText(data).Skip(8).ToArray(), data.NumItems, 8);     // items only: the padding row is added on import
        var run = LlmEsrRun(encoder, epochs, npy, refresh: refresh, alignment: alignment);
        var result = Trainer.Run(run, data, Path.Combine(dir.Path, "run"));
        var log = File.ReadAllLines(Path.Combine(dir.Path, "run", "metrics.jsonl")).Select(l => System.Text.Json.JsonSerializer.Deserialize<EpochRecord>(l, RunConfig.Json)!).ToArray();
        Assert.True(log[^1].TrainLoss < log[0].TrainLoss * 0.8, $"{encoder}: loss {log[0].TrainLoss} -> {log[^1].TrainLoss}");
        var split = SequenceSplit.Create(data, SplitKind.LeaveOneOut);
        var popularity = Evaluator.Evaluate(new MostPopular(split.Train, data.NumItems), split.Test).Metrics;
        Assert.True(result.Test["ndcg@10"] > popularity["ndcg@10"] + 0.2, $"{encoder}: ndcg@10 {result.Test["ndcg@10"]:F3} vs popularity {popularity["ndcg@10"]:F3}");

        var (model, header) = RetrievalCheckpoint.LoadModel(result.Checkpoint);
        Assert.Equal(8, header.Config.Model.SemanticView!.SemanticDim);               // set from the embeddings
        Assert.Equal(result.Test, Evaluator.Evaluate(new ModelScorer(model), split.Test).Metrics);
    }

    [Theory]
    [InlineData("text")]
    [InlineData("id")]
    public void SingleViewAblationsTrainWithoutDistillation(string fusion)
    {
        using var dir = new TempDir();
        var data = TrainingTests.CycleDataset(users: 100, items: 30, seed: 5, maxLength: 14);
        var npy = Path.Combine(dir.Path, "text.npy");
        NpyFile.Write(npy, CycleText(data).Skip(8).ToArray(), data.NumItems, 8);
        var run = LlmEsrRun("sasrec", 10, npy, fusion: fusion);
        run = run with { LlmEsr = run.LlmEsr! with { Alpha = 0, Beta = 0 } };
        var messages = new List<string>();
        var result = Trainer.Run(run, data, Path.Combine(dir.Path, "run"), observer: new MessageLog(messages));
        var split = SequenceSplit.Create(data, SplitKind.LeaveOneOut);
        var popularity = Evaluator.Evaluate(new MostPopular(split.Train, data.NumItems), split.Test).Metrics;
        Assert.True(result.Test["ndcg@10"] > popularity["ndcg@10"] + 0.2, $"{fusion}: ndcg@10 {result.Test["ndcg@10"]:F3} vs popularity {popularity["ndcg@10"]:F3}");
        Assert.Contains(messages, m => m.Contains($"{fusion} fusion", StringComparison.Ordinal) && m.Contains("no self-distillation", StringComparison.Ordinal));
    }

    [Fact]
    public void HalfConfiguredRunsAndRatedInputsAreRefused()
    {
        using var dir = new TempDir();
        var data = TrainingTests.CycleDataset(users: 20, items: 12);
        var run = LlmEsrRun("sasrec", 1, "missing.npy");
        var noModelSide = Assert.Throws<ArgumentException>(() => Trainer.Run(run with { Model = run.Model with { SemanticView = null } }, data, dir.Path));
        Assert.Contains("semantic_view", noModelSide.Message);
        Assert.Throws<ArgumentException>(() => Trainer.Run(run with { LlmEsr = null }, data, dir.Path));
        Assert.Throws<FileNotFoundException>(() => Trainer.Run(run, data, dir.Path));
        var rated = new ModelConfig { Preprocessor = PreprocessorKind.Interleaved, SemanticView = new SemanticViewConfig { SemanticDim = 8 } };
        Assert.Contains("item ids only", Assert.Throws<ArgumentException>(() => new SequentialRecommender(rated, 12)).Message);
        var plain = run.WithoutLlmEsr();
        Assert.Null(plain.LlmEsr);
        Assert.Null(plain.Model.SemanticView);
    }

    private sealed class MessageLog(List<string> messages) : ITrainingObserver
    {
        public void EpochStarted(int epoch, int steps)
        {
        }

        public void StepFinished(int epoch, int step, double loss)
        {
        }

        public void Validated(int epoch, IReadOnlyDictionary<string, double> metrics, bool improved)
        {
        }

        public void Message(string text) => messages.Add(text);
    }
}
