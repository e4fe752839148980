using GenRec.Configuration;
using GenRec.Models.Tiger;
using static TorchSharp.torch;

namespace GenRec.Tests.Tiger;

/// <summary>Constrained beam search against exhaustive scoring; the trie never lets an invalid ID out.</summary>
public class BeamSearchTests
{
    private static (TigerModel Model, int[][] Ids, SemanticIdTrie Trie) Tiny(int seed)
    {
        manual_seed(seed);
        var vocabulary = new SemanticIdVocabulary([3, 3, 2], userBuckets: 5);
        var model = new TigerModel(new TigerConfig { EncoderLayers = 1, DecoderLayers = 2, NumHeads = 2, HeadDim = 8, ModelDim = 16, FfnDim = 32, RelativeBuckets = 8, RelativeMaxDistance = 16 }, vocabulary);
        model.eval();
        var random = new Random(seed);
        var all = (from a in Enumerable.Range(0, 3) from b in Enumerable.Range(0, 3) from c in Enumerable.Range(0, 2) select new[] { a, b, c }).OrderBy(_ => random.Next()).Take(9).ToArray();
        int[][] ids = [[], .. all];
        return (model, ids, new SemanticIdTrie(ids));
    }

    private static Tensor Input(SemanticIdVocabulary v) => tensor(new long[] { v.UserToken(3), v.Token(0, 1), v.Token(1, 2), v.Token(2, 0), v.Token(0, 2), v.Token(1, 0), v.Token(2, 1), 0, 0 }).view(1, -1);

    // log p(ID | input) by teacher forcing, for every valid ID.
    private static List<(int Item, float LogProbability)> Exhaustive(TigerModel model, Tensor input, int[][] ids)
    {
        using var _ = no_grad();
        var (memory, mask) = model.Encode(input);
        var result = new List<(int, float)>();
        for (var item = 1; item < ids.Length; item++)
        {
            var targets = Enumerable.Range(0, 3).Select(p => (long)model.Vocabulary.Token(p, ids[item][p])).ToArray();
            var decoderInput = tensor(new long[] { SemanticIdVocabulary.DecoderStart, targets[0], targets[1] }).view(1, 3);
            var logp = model.Decode(decoderInput, memory, mask).log_softmax(-1)[0];       // [3, V]
            result.Add((item, Enumerable.Range(0, 3).Sum(p => logp[p, targets[p]].item<float>())));
        }

        return [.. result.OrderByDescending(r => r.Item2)];
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void WideConstrainedBeamEqualsExhaustiveSearch(int seed)
    {
        var (model, ids, trie) = Tiny(seed);
        var input = Input(model.Vocabulary);
        var generated = BeamSearch.Generate(model, input, trie, beams: 9, constrained: true)[0];
        var expected = Exhaustive(model, input, ids);
        Assert.Equal(expected.Select(e => e.Item), generated.Select(g => g.Item));
        Assert.All(generated.Zip(expected), p => Assert.Equal(p.Second.LogProbability, p.First.LogProbability, 4));
    }

    [Fact]
    public void NarrowConstrainedBeamsOnlyEmitRealItemsAndUnconstrainedOnesMayNot()
    {
        var invalidSeen = 0;
        for (var seed = 1; seed <= 6; seed++)
        {
            var (model, ids, trie) = Tiny(seed);
            var input = Input(model.Vocabulary);
            var constrained = BeamSearch.Generate(model, input, trie, beams: 3, constrained: true)[0];
            Assert.Equal(3, constrained.Count);
            Assert.All(constrained, g => Assert.Equal(string.Join(",", ids[g.Item]), string.Join(",", g.Codes)));
            Assert.Equal(constrained.Select(g => g.LogProbability).OrderDescending(), constrained.Select(g => g.LogProbability)); // best first

            var free = BeamSearch.Generate(model, input, trie, beams: 18, constrained: false)[0];
            Assert.Equal(18, free.Count);                                                // all 3*3*2 codes
            invalidSeen += free.Count(g => g.Item < 0);
            Assert.All(free.Where(g => g.Item > 0), g => Assert.Equal(string.Join(",", ids[g.Item]), string.Join(",", g.Codes)));
        }

        Assert.Equal(6 * 9, invalidSeen); // 18 possible codes, 9 items: half the unconstrained IDs name nothing
    }
}
