using GenRec.Checkpoints;
using GenRec.Configuration;
using GenRec.Compute;
using GenRec.Models;
using GenRec.Models.Ranking;
using GenRec.Models.Tiger;
using GenRec.Training;
using GenRec.Training.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Tests.Compute;

/// <summary>
/// Device placement. Each model trains one step on the test device (<c>GENREC_TEST_DEVICE</c>, default
/// auto: the CPU here, CUDA on a GPU machine, where libtorch refuses to mix devices, so a host tensor left
/// behind fails the step) and then every parameter, gradient, buffer and batch tensor is checked to be
/// there. libtorch's <c>meta</c> device (shapes only) checks that batches and modules move whole; it has
/// no kernels for embedding lookups, so steps cannot run on it.
/// </summary>
public class DevicePlacementTests
{
    private static readonly Device Meta = ComputeDevice.Resolve("meta");

    private static Device TestDevice => ComputeDevice.Resolve(Environment.GetEnvironmentVariable("GENREC_TEST_DEVICE") ?? "auto");

    private static readonly int[][] Sequences = [[1, 2, 3, 4, 5, 6], [7, 8, 9], [2, 4, 6, 8, 10, 12, 14]];

    /// <summary>Every parameter, gradient and buffer of the module, and every extra tensor, is on the device.</summary>
    internal static void AssertOn(Device device, nn.Module module, params Tensor?[] tensors)
    {
        foreach (var (name, parameter) in module.named_parameters())
        {
            Assert.True(parameter.device_type == device.type, $"parameter {name} is on {parameter.device}");
            Assert.True(parameter.grad is null || parameter.grad.device_type == device.type, $"gradient of {name} is on {parameter.grad?.device}");
        }

        foreach (var (name, buffer) in module.named_buffers())
        {
            Assert.True(buffer.device_type == device.type, $"buffer {name} is on {buffer.device}");
        }

        foreach (var tensor in tensors.Where(t => t is not null))
        {
            Assert.True(tensor!.device_type == device.type, $"a tensor is on {tensor.device}");
        }
    }

    [Fact]
    public void DeviceNamesResolveOrFailClearly()
    {
        Assert.Equal(DeviceType.CPU, ComputeDevice.Resolve("cpu").type);
        Assert.Equal(cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU, ComputeDevice.Resolve("auto").type);
        Assert.Equal(DeviceType.META, Meta.type);
        Assert.Contains("expected auto, cpu, cuda or cuda:N", Assert.Throws<ArgumentException>(() => ComputeDevice.Resolve("gpu")).Message);
        if (!cuda.is_available())
        {
            Assert.Contains("genrec doctor", Assert.Throws<ArgumentException>(() => ComputeDevice.Resolve("cuda:0")).Message);
        }

        Assert.Throws<ArgumentException>(() => ComputeDevice.Resolve("cuda:x"));
        Assert.Contains("'fp16' is not a choice (available: fp32, bf16)", Assert.Throws<ArgumentException>(() => ClosedChoice.Parse<Precision>("fp16", "compute.precision")).Message);
    }

    [Theory]
    [InlineData("sasrec", "in_batch")]
    [InlineData("hstu", "in_batch")]
    [InlineData("gru4rec", "in_batch")]
    [InlineData("bert4rec", "in_batch")]
    [InlineData("sasrec", "bce")]
    public void ARetrievalStepRunsWhollyOnTheDevice(string encoder, string loss)
    {
        manual_seed(1);
        var device = TestDevice;
        var model = new SequentialRecommender(new ModelConfig { Encoder = encoder, EmbeddingDim = 8, MaxSequenceLength = 8, FfnHiddenDim = 16, NumHeads = 2, Dropout = 0.1 }, numItems: 20);
        model.to(device);
        var optimizer = optim.AdamW(model.parameters(), 1e-3);
        var host = model.IsCausal
            ? SequenceBatcher.Autoregressive(Sequences, null, maxLength: 8)
            : SequenceBatcher.Cloze(Sequences, 8, 0.3, model.MaskToken, new Random(1));
        var supervised = host.Targets.view(-1).ne(0).nonzero().squeeze(1).ToDevice(device); // found on the host, as the trainer does
        var batch = host.To(device);
        AssertOn(device, model, batch.Inputs, batch.Targets, supervised);
        var states = model.forward(new SequenceInput(batch.Inputs));                       // [B, N, D]
        var flat = states.view(-1, states.shape[2]).index_select(0, supervised);
        var positives = batch.Targets.view(-1).index_select(0, supervised);
        var trainConfig = loss == "bce" ? new TrainConfig { Loss = LossKind.Bce } : new TrainConfig { Negatives = NegativeSampling.InBatch };
        var value = LossFactory.Create(trainConfig).Compute(model, flat, positives, ComputeDevice.NewGenerator(1, device));
        var detached = OptimizerStep.Apply(optimizer, value, model, maxGradNorm: 1.0);
        Assert.Equal(device.type, detached.device_type);
        Assert.True(float.IsFinite(detached.item<float>()));
        AssertOn(device, model);
    }

    [Fact]
    public void BatchesAndModulesMoveWhole()
    {
        var host = SequenceBatcher.Autoregressive(Sequences, [[1, 2, 3, 4, 5, 6], [7, 8, 9], [1, 2, 3, 4, 5, 6, 7]], maxLength: 8);
        Assert.Same(host.Inputs, host.Inputs.ToDevice(CPU));                               // nothing to copy on the host
        var moved = host.To(Meta);
        Assert.All(new[] { moved.Inputs, moved.Targets, moved.Timestamps! }, t => Assert.Equal(DeviceType.META, t.device_type));
        Assert.Equal(host.Inputs.shape, moved.Inputs.shape);
        var model = new SequentialRecommender(new ModelConfig { Encoder = "hstu", EmbeddingDim = 8, MaxSequenceLength = 8, NumHeads = 2 }, numItems: 20);
        model.to(Meta);
        AssertOn(Meta, model);
        var input = RankingInput.AfterHistories([RankingHistory.From([1, 2, 3], null, [10, 20, 30], 6)], [[4, 5]], [40], timed: true).To(Meta);
        Assert.All(new[] { input.Ids, input.Actions, input.Times!, input.Candidates, input.Prefix, input.CandidateTimes! }, t => Assert.Equal(DeviceType.META, t.device_type));
    }

    [Fact]
    public void TigerTrainsAStepAndGeneratesOnTheDevice()
    {
        manual_seed(2);
        var vocabulary = new SemanticIdVocabulary([4, 4, 2], userBuckets: 5);
        var device = TestDevice;
        var model = new TigerModel(new TigerConfig { EncoderLayers = 1, DecoderLayers = 1, NumHeads = 2, HeadDim = 4, ModelDim = 8, FfnDim = 16, MaxHistory = 3, UserBuckets = 5 }, vocabulary);
        model.to(device);
        int[][] ids = [[], [0, 1, 0], [1, 2, 0], [3, 3, 1], [3, 3, 0]];
        var input = TigerModel.EncoderInputs(vocabulary, ids, [(0, [1, 2]), (1, [3])], maxHistory: 3).ToDevice(device);
        var targets = tensor(new long[] { vocabulary.Token(0, 3), vocabulary.Token(1, 3), vocabulary.Token(2, 1), vocabulary.Token(0, 0), vocabulary.Token(1, 1), vocabulary.Token(2, 0) }).view(2, 3).ToDevice(device);
        var optimizer = optim.AdamW(model.parameters(), 1e-3);
        var loss = OptimizerStep.Apply(optimizer, model.Loss(input, targets), model, maxGradNorm: 1.0);
        Assert.Equal(device.type, loss.device_type);
        AssertOn(device, model);
        var trie = new SemanticIdTrie(ids);
        var generated = BeamSearch.Generate(model, input, trie, beams: 3, constrained: true);   // beams on the device, the trie walk on the host
        Assert.All(generated, row => Assert.All(row, g => Assert.True(g.Item > 0)));
        AssertOn(device, model);
    }

    [Fact]
    public void TheRankerTrainsAStepOnTheDeviceFromHostInputs()
    {
        manual_seed(3);
        var device = TestDevice;
        var model = new HstuRanker(new RankingConfig { EmbeddingDim = 8, MaxHistory = 6, NumBlocks = 1, NumHeads = 2 }, numItems: 20, numTasks: 2);
        model.to(device);
        var input = RankingInput.AfterHistories([RankingHistory.From([1, 2, 3], null, null, 6)], [[4, 5]], [0], timed: false); // built on the host
        var (history, candidates) = model.Forward(input);
        Assert.Equal(device.type, candidates.device_type);
        var optimizer = optim.AdamW(model.parameters(), 1e-3);
        OptimizerStep.Apply(optimizer, history.sum() + candidates.sum());
        AssertOn(device, model);
    }

    [Fact]
    public void CheckpointsLoadOnAnyDevice()
    {
        using var dir = new TempDir();
        manual_seed(4);
        var config = new RunConfig { Model = new ModelConfig { EmbeddingDim = 8, MaxSequenceLength = 8, FfnHiddenDim = 16, NumHeads = 2 } };
        var model = new SequentialRecommender(config.Model, numItems: 20);
        var path = Path.Combine(dir.Path, "model.ckpt");
        RetrievalCheckpoint.Save(path, config, model, null, new TrainingState());
        var (onMeta, _) = RetrievalCheckpoint.LoadModel(path, Meta);
        AssertOn(Meta, onMeta);
        var (onCpu, _) = RetrievalCheckpoint.LoadModel(path);
        var saved = model.state_dict();
        foreach (var (name, value) in onCpu.state_dict())
        {
            Assert.Equal(DeviceType.CPU, value.device_type);
            Assert.True(value.equal(saved[name]).all().item<bool>(), $"{name} differs after loading");
        }
    }
}
