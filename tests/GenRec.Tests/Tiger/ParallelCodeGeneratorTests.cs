using GenRec.Configuration;
using GenRec.Models.SemanticIds;
using GenRec.Models.Tiger;
using static TorchSharp.torch;

namespace GenRec.Tests.Tiger;

/// <summary>
/// RPG's parallel-code generator: its loss is the mean code log-likelihood generation ranks by, exact generation is the
/// catalogue sorted by that score, the graph search over a complete graph is exact and never leaves the allowed items,
/// product quantisation codes clusters, and it learns end to end and serves.
/// </summary>
public class ParallelCodeGeneratorTests
{
    private static (ParallelCodeGenerator Model, int[][] Ids, SemanticIdTrie Trie) Tiny(int seed, int graphEdges = 0, int items = 12)
    {
        manual_seed(seed);
        var random = new Random(seed);
        int[][] ids = [[], .. Enumerable.Range(0, items).Select(_ => new[] { random.Next(4), random.Next(4), random.Next(4), random.Next(4), random.Next(4) }).DistinctBy(id => string.Join(',', id))];
        var vocabulary = SemanticIdVocabulary.Of(ids, userBuckets: 3);
        var config = new TigerConfig { Architecture = GenerativeArchitecture.ParallelCodes, EncoderLayers = 0, DecoderLayers = 2, NumHeads = 2, HeadDim = 8, ModelDim = 16, FfnDim = 32, Dropout = 0.0, MaxHistory = 4, RelativeBuckets = 8, RelativeMaxDistance = 16, Temperature = 0.2, GraphEdges = graphEdges, GraphSteps = 2 };
        var model = (ParallelCodeGenerator)SemanticIdGenerator.Create(config, vocabulary);
        return (model, ids, new SemanticIdTrie(ids));
    }

    private static float[] ExhaustiveScores(SemanticIdGenerator model, int[][] ids, Tensor input) =>
        model.LogLikelihoods(input, model.IdTokens(ids, [.. Enumerable.Range(1, ids.Length - 1)])).data<float>().ToArray();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void LossIsMinusTheMeanCodeLogLikelihoodOfEachTargetOnItsOwnHistory(int seed)
    {
        var (model, ids, _) = Tiny(seed);
        model.eval();
        using var _ = no_grad();
        GenerativeExample[] batch = [new(0, [1, 4, 2, 9, 5]), new(1, [7, 3]), new(2, [2, 2, 8, 6])];
        var (loss, targets) = model.Loss(ids, batch, CPU);
        Assert.Equal(4 + 1 + 3, targets);
        var expected = -batch.SelectMany(w => Enumerable.Range(1, w.Items.Length - 1).Select(t =>
            model.LogLikelihoods(model.Inputs(ids, [(w.User, w.Items[..t])]), model.IdTokens(ids, [w.Items[t]])).item<float>())).Average();
        Assert.Equal(expected, loss.item<float>(), 4);
    }

    [Fact]
    public void ExactGenerationIsTheCatalogueSortedByScoreLessTheExhaustedItems()
    {
        var (model, ids, trie) = Tiny(3);
        var input = model.Inputs(ids, [(0, [3, 1, 5])]);
        var scores = ExhaustiveScores(model, ids, input);
        var generated = model.Generate(input, trie, beams: 5, constrained: true)[0];
        Assert.Equal(Enumerable.Range(1, ids.Length - 1).OrderByDescending(i => scores[i - 1]).ThenBy(i => i).Take(5), generated.Select(g => g.Item));
        Assert.All(generated, g => Assert.Equal(scores[g.Item - 1], g.LogProbability, 4));

        var top = generated[0].Item;
        var closed = trie.Exhausted([ids[top]]);
        var filtered = model.Generate(input, trie, beams: 5, constrained: true, [closed])[0];
        Assert.DoesNotContain(filtered, g => g.Item == top);
        Assert.Equal(generated.Skip(1).Select(g => g.Item), filtered.Take(4).Select(g => g.Item));

        var free = model.Generate(input, trie, beams: 5, constrained: false)[0];
        Assert.Single(free);                                                                       // each digit's best code: may name no item
        Assert.Equal(free[0].Item, trie.ItemOf(free[0].Codes));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void GraphSearchOverACompleteGraphIsExactAndStaysInTheCatalogue(int seed)
    {
        var (complete, ids, trie) = Tiny(seed, graphEdges: 1_000, items: 30);
        var input = complete.Inputs(ids, [(0, [3, 1]), (1, [2, 2, 7, 9])]);
        var searched = complete.Generate(input, trie, beams: 6, constrained: true);
        for (var row = 0; row < 2; row++)
        {
            var scores = ExhaustiveScores(complete, ids, input[row..(row + 1)]);
            Assert.Equal(Enumerable.Range(1, ids.Length - 1).OrderByDescending(i => scores[i - 1]).ThenBy(i => i).Take(6), searched[row].Select(g => g.Item));
        }

        // A sparse graph: only catalogue items, never an excluded one, as many as asked.
        var (sparse, _, _) = Tiny(seed, graphEdges: 3, items: 30);
        var catalogue = new SemanticIdTrie(ids, item => item % 3 != 0);
        var found = sparse.Generate(input, catalogue, beams: 4, constrained: true);
        Assert.All(found.SelectMany(f => f), g => Assert.NotEqual(0, g.Item % 3));
        Assert.All(found, f => Assert.InRange(f.Count, 1, 4));
    }

    [Fact]
    public void ProductQuantisationGivesItemsOfOneClusterOneIdAndDifferentClustersDifferentIds()
    {
        var random = new Random(3);
        var centres = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, 8).Select(_ => (float)(random.NextDouble() * 20 - 10)).ToArray()).ToArray();
        var values = Enumerable.Range(0, 40).SelectMany(i => centres[i % 4].Select(v => v + (float)(random.NextDouble() * 0.01))).ToArray();
        var codes = ProductQuantizer.Encode(values, 40, 8, dim: 8, subspaces: 2, codebookSize: 4, iterations: 10, seed: 1);
        Assert.All(codes, c => Assert.Equal(2, c.Length));
        for (var i = 0; i < 40; i++)
        {
            Assert.Equal(codes[i % 4], codes[i]);
        }

        Assert.Equal(4, codes.Take(4).Select(c => string.Join(',', c)).Distinct().Count());
        Assert.Equal(codes, ProductQuantizer.Encode(values, 40, 8, dim: 8, subspaces: 2, codebookSize: 4, iterations: 10, seed: 1));
        Assert.Throws<ArgumentException>(() => ProductQuantizer.Encode(values, 40, 8, dim: 8, subspaces: 3, codebookSize: 4, iterations: 10, seed: 1));
    }

    [Fact]
    public void TrainsEndToEndOnPlantedTransitionsAndServes()
    {
        using var planted = new PlantedGenerativeRun(new TigerConfig { Architecture = GenerativeArchitecture.ParallelCodes, EncoderLayers = 0, DecoderLayers = 2, NumHeads = 2, HeadDim = 16, ModelDim = 64, FfnDim = 128, Dropout = 0.0, MaxHistory = 3, Temperature = 0.1 }, levels: 6, codebookSize: 8);
        Assert.True(planted.Result.Test["recall@1"] > 0.9, $"recall@1 {planted.Result.Test["recall@1"]:F3} (chance 1/120)");
        Assert.Equal(0, planted.Result.Test["invalid_id_share"]);
        planted.AssertServedAsOffline<ParallelCodeGenerator>();
    }
}
