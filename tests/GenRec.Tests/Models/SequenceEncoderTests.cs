using GenRec.Configuration;
using GenRec.Models;
using GenRec.Models.Encoders;
using GenRec.Training;
using static TorchSharp.torch;

namespace GenRec.Tests.Models;

public class SequenceEncoderTests
{
    public static TheoryData<string> Encoders => [.. EncoderRegistry.Names];

    public static TheoryData<string> CausalEncoders => [.. EncoderRegistry.Names.Where(n => n != "bert4rec")];

    [Theory]
    [MemberData(nameof(Encoders))]
    public void EveryRegisteredEncoderBuildsWithItsDefaultsAndTrainsEveryParameter(string encoder)
    {
        manual_seed(30);
        var entry = EncoderRegistry.Get(encoder);
        var model = new SequentialRecommender(new ModelConfig { Encoder = encoder, EmbeddingDim = 8, MaxSequenceLength = 6, FfnHiddenDim = 8, NumHeads = 2 }, numItems: 20);
        Assert.Equal(entry.Preprocessor, model.Config.ResolvedPreprocessor);
        var ids = tensor(new long[] { 3, 5, 7, 9, 0, 4, 6, 0, 0, 0 }).view(2, -1);
        var times = model.UsesTimestamps ? tensor(new long[] { 10, 200, 3000, 40000, 0, 0, 10, 5000, 0, 0, 0, 0 }).view(2, -1) : null; // [B, N + 1]: the request time last
        var states = model.forward(new SequenceInput(ids, times));
        Assert.Equal(new long[] { 2, 5, 8 }, states.shape);
        Assert.False(states.isnan().any().item<bool>());
        (states * states).sum().backward();
        var untrained = model.named_parameters().Where(p => p.parameter.requires_grad && (p.parameter.grad is null || p.parameter.grad.abs().sum().item<float>() == 0)).Select(p => p.name).ToArray();
        Assert.True(untrained.Length == 0, $"{encoder}: no gradient reaches {string.Join(", ", untrained)}");
    }

    [Fact]
    public void AnUnknownEncoderIsRefusedWithTheKnownNames()
    {
        var error = Assert.Throws<ArgumentException>(() => new SequentialRecommender(new ModelConfig { Encoder = "transformer" }, numItems: 20));
        Assert.Contains("unknown encoder 'transformer'", error.Message);
        Assert.All(EncoderRegistry.Names, name => Assert.Contains(name, error.Message));
    }

    [Theory]
    [MemberData(nameof(CausalEncoders))]
    public void CausalEncodersDoNotSeeTheFuture(string encoder)
    {
        manual_seed(31);
        var model = new SequentialRecommender(new ModelConfig { Encoder = encoder, EmbeddingDim = 8, MaxSequenceLength = 6, FfnHiddenDim = 8, NumHeads = 2 }, numItems: 20);
        model.eval();
        Assert.True(model.IsCausal);
        var a = model.forward(tensor(new long[] { 3, 5, 7, 0, 0 }).view(1, -1));
        var b = model.forward(tensor(new long[] { 3, 5, 7, 9, 11 }).view(1, -1));
        Assert.True(allclose(a[0, ..3], b[0, ..3], atol: 1e-6));
        Assert.Equal(0f, a[0, 3..].abs().sum().item<float>(), 6); // padded positions carry no state
    }

    [Fact]
    public void Bert4RecIsBidirectionalAndIgnoresPadding()
    {
        manual_seed(32);
        var model = new SequentialRecommender(new ModelConfig { Encoder = "bert4rec", EmbeddingDim = 8, MaxSequenceLength = 6, FfnHiddenDim = 16, NumHeads = 2 }, numItems: 20);
        model.eval();
        Assert.False(model.IsCausal);
        Assert.Equal(21, model.MaskToken);
        Assert.Equal(new long[] { 21, 8 }, model.AllItemEmbeddings().shape); // the mask row is no item
        var a = model.forward(tensor(new long[] { 3, 5, 21, 0, 0 }).view(1, -1));
        var b = model.forward(tensor(new long[] { 3, 5, 21, 9, 0 }).view(1, -1));
        var shorter = model.forward(tensor(new long[] { 3, 5, 21 }).view(1, -1));
        Assert.False(allclose(a[0, ..3], b[0, ..3], atol: 1e-4)); // a later item changes earlier states
        Assert.True(allclose(a[0, ..3], shorter[0], atol: 1e-5));  // padding does not
    }

    [Fact]
    public void ClozeBatchMasksAtLeastOnePositionAndTargetsTheOriginals()
    {
        var rng = new Random(4);
        int[][] sequences = [[1, 2, 3, 4, 5, 6, 7, 8], [9, 10]];
        var batch = SequenceBatcher.Cloze(sequences, maxLength: 6, maskProbability: 0.3, maskToken: 99, rng);
        var inputs = batch.Inputs.data<long>().ToArray();
        var targets = batch.Targets.data<long>().ToArray();
        Assert.Equal(new long[] { 2, 6 }, batch.Inputs.shape);
        long[][] kept = [[3, 4, 5, 6, 7, 8], [9, 10, 0, 0, 0, 0]];
        for (var b = 0; b < 2; b++)
        {
            var masked = 0;
            for (var t = 0; t < 6; t++)
            {
                var (input, target) = (inputs[(b * 6) + t], targets[(b * 6) + t]);
                if (input == 99)
                {
                    masked++;
                    Assert.Equal(kept[b][t], target);
                }
                else
                {
                    Assert.Equal(kept[b][t], input);
                    Assert.Equal(0, target);
                }
            }

            Assert.True(masked >= 1);
        }
    }

    [Fact]
    public void HistoryBatchAppendsTheMaskAndTheRequestTime()
    {
        var (ids, lengths, times, _) = SequenceBatcher.HistoryBatch([[1, 2, 3], [4]], maxLength: 3, [[10, 20, 30], [40]], [35, 45], maskToken: 9);
        Assert.Equal(new long[] { 2, 3, 9, 4, 9, 0 }, ids.data<long>().ToArray());   // keeps maxLength - 1 items, then [mask]
        Assert.Equal(new long[] { 3, 2 }, lengths);
        Assert.Equal(new long[] { 20, 30, 35, 0, 40, 45, 0, 0 }, times!.data<long>().ToArray()); // request time after the history

        var auto = SequenceBatcher.Autoregressive([[1, 2, 3, 4], [5, 6]], [[10, 20, 30, 40], [50, 60]], maxLength: 2);
        Assert.Equal(new long[] { 2, 3, 5, 0 }, auto.Inputs.data<long>().ToArray());
        Assert.Equal(new long[] { 3, 4, 6, 0 }, auto.Targets.data<long>().ToArray());
        Assert.Equal(new long[] { 20, 30, 40, 50, 60, 0 }, auto.Timestamps!.data<long>().ToArray()); // column t + 1 is target t's time
    }

    [Theory]
    [InlineData("rated")]
    [InlineData("interleaved")]
    public void RatedPreprocessorsReadRatingsCausally(string preprocessor)
    {
        manual_seed(33);
        var model = new SequentialRecommender(new ModelConfig { Encoder = "hstu", Preprocessor = ClosedChoice.Parse<PreprocessorKind>(preprocessor, "preprocessor"), EmbeddingDim = 8, MaxSequenceLength = 4, NumHeads = 2 }, numItems: 20);
        model.eval();
        Assert.True(model.UsesRatings);
        var ids = tensor(new long[] { 3, 5, 7, 9 }).view(1, -1);
        var times = tensor(new long[] { 0, 100, 200, 300, 400 }).view(1, -1);
        Tensor Run(params long[] levels) => model.forward(new SequenceInput(ids, times, tensor(levels).view(1, -1)));
        var a = Run(2, 4, 6, 8);
        var b = Run(2, 4, 10, 8);                                     // item 2's rating changes
        Assert.Equal(new long[] { 1, 4, 8 }, a.shape);                 // one state per item, also when interleaved
        Assert.True(allclose(a[0, ..2], b[0, ..2], atol: 1e-6));       // earlier states do not see it
        Assert.False(allclose(a[0, 2], b[0, 2], atol: 1e-4));          // the state after item 2 does
        Assert.Throws<InvalidOperationException>(() => model.forward(new SequenceInput(ids, times)));

        var (_, _, _, levels) = SequenceBatcher.HistoryBatch([[1, 2]], 4, historyRatings: [[0.5f, 4.5f]]);
        Assert.Equal(new long[] { 1, 9 }, levels!.data<long>().ToArray());
    }

    [Fact]
    public void LastItemRowsMaskOnlyTheirLastItem()
    {
        int[][] sequences = [[1, 2, 3, 4, 5, 6, 7, 8], [9, 10], [11, 12, 13]];
        var batch = SequenceBatcher.Cloze(sequences, maxLength: 6, maskProbability: 0.9, maskToken: 99, new Random(2), lastItemOnly: [true, true, false]);
        var inputs = batch.Inputs.data<long>().ToArray();
        var targets = batch.Targets.data<long>().ToArray();
        Assert.Equal(new long[] { 3, 4, 5, 6, 7, 99 }, inputs[..6]);
        Assert.Equal(new long[] { 0, 0, 0, 0, 0, 8 }, targets[..6]);
        Assert.Equal(new long[] { 9, 99, 0, 0, 0, 0 }, inputs[6..12]);
        Assert.Equal(new long[] { 0, 10, 0, 0, 0, 0 }, targets[6..12]);
        Assert.True(targets[12..15].Count(t => t != 0) >= 1); // the third row is a random-mask row
    }

    [Fact]
    public void ClozeReplacementFollowsBertsEightyTenTen()
    {
        // Every position is selected (probability 1); what each becomes: [mask], a random item of 1..50, or itself.
        var sequence = Enumerable.Range(1000, 200).ToArray();
        var (mask, random, same) = (0, 0, 0);
        var rng = new Random(7);
        for (var round = 0; round < 50; round++)
        {
            var batch = SequenceBatcher.Cloze([sequence], maxLength: 200, maskProbability: 1.0, maskToken: 99, rng, randomItems: 50);
            var inputs = batch.Inputs.data<long>().ToArray();
            var targets = batch.Targets.data<long>().ToArray();
            Assert.Equal(sequence.Select(i => (long)i), targets); // every position is a target, whatever it shows
            mask += inputs.Count(i => i == 99);
            random += inputs.Count(i => i is >= 1 and <= 50);
            same += inputs.Where((input, t) => input == sequence[t]).Count();
        }

        // 10,000 draws: standard errors 0.004 (mask) and 0.003 (the others).
        Assert.Equal(10_000, mask + random + same);
        Assert.InRange(mask / 10_000.0, 0.785, 0.815);
        Assert.InRange(random / 10_000.0, 0.088, 0.112);
        Assert.InRange(same / 10_000.0, 0.088, 0.112);
    }

    [Fact]
    public void LastPositionBatchesSuperviseOnlyTheLastState()
    {
        int[][] sequences = [[1, 2, 3, 4], [5, 6]];
        var every = SequenceBatcher.Autoregressive(sequences, null, maxLength: 8);
        var last = SequenceBatcher.Autoregressive(sequences, null, maxLength: 8, lastOnly: true);
        Assert.Equal(every.Inputs.data<long>().ToArray(), last.Inputs.data<long>().ToArray());
        Assert.Equal(new long[] { 2, 3, 4, 6, 0, 0 }, every.Targets.data<long>().ToArray());
        Assert.Equal(new long[] { 0, 0, 4, 6, 0, 0 }, last.Targets.data<long>().ToArray());
        // A window shorter than the sequence: the last target is still the sequence's last item.
        var windowed = SequenceBatcher.Autoregressive([[1, 2, 3, 4, 5]], null, maxLength: 2, lastOnly: true);
        Assert.Equal(new long[] { 3, 4 }, windowed.Inputs.data<long>().ToArray());
        Assert.Equal(new long[] { 0, 5 }, windowed.Targets.data<long>().ToArray());
    }
}
