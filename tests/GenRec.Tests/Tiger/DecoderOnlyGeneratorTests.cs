using GenRec.Configuration;
using GenRec.Data.Splits;
using GenRec.Models.Tiger;
using GenRec.Tests.Training;
using GenRec.Training;
using GenRec.Training.Tiger;
using static TorchSharp.torch;

namespace GenRec.Tests.Tiger;

/// <summary>
/// The decoder-only semantic-ID generator: its one-pass training loss is the per-target losses of generation, its cached
/// decoding gives the beams of decoding without a cache, wide beams are exhaustive search, and it learns end to end.
/// </summary>
public class DecoderOnlyGeneratorTests
{
    private static (DecoderOnlyGenerator Model, int[][] Ids, SemanticIdTrie Trie) Tiny(int seed, double dropout = 0.0)
    {
        manual_seed(seed);
        var vocabulary = new SemanticIdVocabulary([3, 3, 2], userBuckets: 5);
        var config = new TigerConfig { Architecture = GenerativeArchitecture.DecoderOnly, EncoderLayers = 0, DecoderLayers = 2, NumHeads = 2, HeadDim = 8, ModelDim = 16, FfnDim = 32, Dropout = dropout, MaxHistory = 4, RelativeBuckets = 8, RelativeMaxDistance = 16 };
        var model = (DecoderOnlyGenerator)SemanticIdGenerator.Create(config, vocabulary);
        var random = new Random(seed);
        var all = (from a in Enumerable.Range(0, 3) from b in Enumerable.Range(0, 3) from c in Enumerable.Range(0, 2) select new[] { a, b, c }).OrderBy(_ => random.Next()).Take(9).ToArray();
        int[][] ids = [[], .. all];
        return (model, ids, new SemanticIdTrie(ids));
    }

    // -log P(target | user, history) summed over the window's targets, each scored as generation scores it (its own input row).
    private static double PerTargetLoss(SemanticIdGenerator model, int[][] ids, GenerativeExample window)
    {
        var total = 0.0;
        for (var t = 1; t < window.Items.Length; t++)
        {
            var input = model.Inputs(ids, [(window.User, window.Items[..t])]);
            total -= model.LogLikelihoods(input, model.IdTokens(ids, [window.Items[t]])).item<float>();
        }

        return total;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void OnePassLossEqualsEachTargetScoredOnItsOwnHistory(int seed)
    {
        var (model, ids, _) = Tiny(seed);
        model.eval();
        using var _ = no_grad();
        GenerativeExample[] batch = [new(3, [1, 4, 2, 9, 5]), new(0, [7, 3]), new(4, [2, 2, 8, 6])];     // windows of 5, 2 and 4 items: left padding
        var (loss, targets) = model.Loss(ids, batch, CPU);
        Assert.Equal((4 + 1 + 3) * 3, targets);                                                   // every item after a window's first, 3 codes each
        var expected = batch.Sum(w => PerTargetLoss(model, ids, w)) / targets;
        Assert.Equal(expected, loss.item<float>(), 4);
    }

    [Fact]
    public void InputsAreLeftPaddedUserThenCodesOfTheLastItems()
    {
        var (model, ids, _) = Tiny(1);
        var v = model.Vocabulary;
        var input = model.Inputs(ids, [(2, [1, 2, 3, 4, 5, 6]), (-1, [7])]);                          // max_history 4
        Assert.Equal(new long[] { 2, 1 + (4 * 3) }, input.shape);
        var first = input[0].data<long>().ToArray();
        Assert.Equal(v.UserToken(2), first[0]);
        Assert.Equal(ids[3].Select((c, p) => (long)v.Token(p, c)), first[1..4]);                    // items 3..6 are the last four
        var second = input[1].data<long>().ToArray();
        Assert.All(second[..9], t => Assert.Equal(SemanticIdVocabulary.Padding, t));
        Assert.Equal([v.UserToken(-1), .. ids[7].Select((c, p) => (long)v.Token(p, c))], second[9..]);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    public void CachedDecodingGivesTheBeamsOfDecodingWithoutACache(int seed, bool constrained)
    {
        var (model, ids, trie) = Tiny(seed);
        var input = model.Inputs(ids, [(1, [4, 2, 9]), (3, []), (0, [5, 5, 1, 7, 8])]);
        foreach (var beams in new[] { 1, 4, 9, 30 })
        {
            var cached = BeamSearch.Generate(model, input, trie, beams, constrained);
            var uncached = BeamSearch.Generate(model, input, model.StartUncachedSearch, trie, beams, constrained);
            for (var row = 0; row < cached.Length; row++)
            {
                Assert.Equal(uncached[row].Select(g => string.Join(',', g.Codes)), cached[row].Select(g => string.Join(',', g.Codes)));
                Assert.All(cached[row].Zip(uncached[row]), p => Assert.Equal(p.Second.LogProbability, p.First.LogProbability, 4));
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void WideConstrainedBeamEqualsExhaustiveScoringAndLikelihoodsSumToOne(int seed)
    {
        var (model, ids, trie) = Tiny(seed);
        model.eval();
        using var _ = no_grad();
        var input = model.Inputs(ids, [(2, [3, 1])]);
        var generated = BeamSearch.Generate(model, input, trie, beams: 9, constrained: true)[0];
        var scores = model.LogLikelihoods(input, model.IdTokens(ids, [.. Enumerable.Range(1, 9)])).data<float>().ToArray();
        var expected = Enumerable.Range(1, 9).OrderByDescending(i => scores[i - 1]).ToArray();
        Assert.Equal(expected, generated.Select(g => g.Item));
        Assert.All(generated, g => Assert.Equal(scores[g.Item - 1], g.LogProbability, 4));

        // over every ID of the code space (3 x 3 x 2), the probabilities sum to the mass the head puts on codes of the right levels
        var space = (from a in Enumerable.Range(0, 3) from b in Enumerable.Range(0, 3) from c in Enumerable.Range(0, 2) select new[] { a, b, c }).ToArray();
        var everyId = tensor(space.SelectMany(id => id.Select((c, p) => (long)model.Vocabulary.Token(p, c))).ToArray()).view(space.Length, 3);
        Assert.InRange(model.LogLikelihoods(input, everyId).exp().sum().item<float>(), 0.0f, 1.0001f);
    }

    [Fact]
    public void WindowsCoverEveryTargetOnceWithAtMostMaxHistoryItemsBeforeIt()
    {
        var data = TrainingTests.CycleDataset(users: 30, items: 40, seed: 2);
        var split = SequenceSplit.Create(data, SplitKind.LeaveOneOut);
        var config = new TigerConfig { Architecture = GenerativeArchitecture.DecoderOnly, EncoderLayers = 0, MaxHistory = 3 };
        var windows = TigerTrainer.Examples(split, config);
        Assert.All(windows, w => Assert.InRange(w.Items.Length, 2, 4));
        for (var user = 0; user < split.Train.Length; user++)
        {
            var sequence = split.Train[user];
            var targets = windows.Where(w => w.User == user).SelectMany(w => w.Items[1..]).Order();
            Assert.Equal(sequence[1..].Order(), targets);                                            // each item after the first, once
        }

        var encoderDecoder = TigerTrainer.Examples(split, config with { Architecture = GenerativeArchitecture.EncoderDecoder });
        Assert.Equal(encoderDecoder.Count, windows.Sum(w => w.Items.Length - 1));                   // as many targets as TIGER's examples
    }

    [Fact]
    public void TrainsEndToEndOnPlantedTransitionsAgainWithTheSameSeedAndServes()
    {
        using var planted = new PlantedGenerativeRun(new TigerConfig { Architecture = GenerativeArchitecture.DecoderOnly, EncoderLayers = 0, DecoderLayers = 2, NumHeads = 2, HeadDim = 16, ModelDim = 64, FfnDim = 128, Dropout = 0.0, MaxHistory = 3, UserBuckets = 10 }, levels: 3, codebookSize: 6);
        Assert.True(planted.Result.Test["recall@1"] > 0.9, $"recall@1 {planted.Result.Test["recall@1"]:F3} (chance 1/120)");
        Assert.Equal(0, planted.Result.Test["invalid_id_share"]);
        using var again = new TempDir();
        Assert.Equal(planted.Result.Test, TigerTrainer.Run(planted.Run, planted.Data, planted.Ids, again.Path, resume: false, new SilentObserver()).Test);
        planted.AssertServedAsOffline<DecoderOnlyGenerator>();
    }

    [Fact]
    public void ADecoderOnlyConfigWithAnEncoderOrWithoutCollisionCodesIsRefused()
    {
        var vocabulary = new SemanticIdVocabulary([3, 3], userBuckets: 5);
        var withEncoder = Assert.Throws<ArgumentException>(() => SemanticIdGenerator.Create(new TigerConfig { Architecture = GenerativeArchitecture.DecoderOnly }, vocabulary));
        Assert.Contains("model.encoder_layers", withEncoder.Message);
        var noCollision = Assert.Throws<ArgumentException>(() => SemanticIdGenerator.Create(new TigerConfig { Architecture = GenerativeArchitecture.DecoderOnly, EncoderLayers = 0, InputCollisionCode = false }, vocabulary));
        Assert.Contains("model.input_collision_code", noCollision.Message);
    }
}
