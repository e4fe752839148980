using GenRec.Configuration;
using GenRec.Models.Tiger;
using static TorchSharp.torch;

namespace GenRec.Tests.Tiger;

/// <summary>Incremental decoding with cached keys and values against the full decoder over the whole prefix.</summary>
public class DecoderCacheTests
{
    [Fact]
    public void EachStepEqualsTheFullDecoderAtTheLastPositionAlsoAfterReorderingBeams()
    {
        manual_seed(7);
        var vocabulary = new SemanticIdVocabulary([4, 4, 3], userBuckets: 5);
        var model = new TigerModel(new TigerConfig { EncoderLayers = 1, DecoderLayers = 3, NumHeads = 2, HeadDim = 8, ModelDim = 16, FfnDim = 32, RelativeBuckets = 8, RelativeMaxDistance = 16 }, vocabulary);
        model.eval();
        using var _ = no_grad();
        var input = tensor(new long[]
        {
            vocabulary.UserToken(1), vocabulary.Token(0, 1), vocabulary.Token(1, 2), vocabulary.Token(2, 0), 0, 0, 0,
            vocabulary.UserToken(4), vocabulary.Token(0, 3), vocabulary.Token(1, 0), vocabulary.Token(2, 2), vocabulary.Token(0, 0), vocabulary.Token(1, 1), vocabulary.Token(2, 1),
        }).view(2, 7);
        var (memory, mask) = model.Encode(input);                                        // 2 users
        const int k = 3;                                                                 // 3 rows per user
        var random = new Random(3);
        var prefixes = Enumerable.Range(0, 2 * k).Select(_ => new List<long> { SemanticIdVocabulary.DecoderStart }).ToArray();
        var cache = model.StartDecoding(memory, mask);
        var last = full(2 * k, SemanticIdVocabulary.DecoderStart, dtype: int64);
        for (var position = 0; position < 3; position++)
        {
            var stepped = model.DecodeNext(last, cache);                                 // [6, V]
            var full = model.Decode(tensor(prefixes.SelectMany(p => p).ToArray()).view(2 * k, -1), memory, mask)[.., -1, ..];
            Assert.Equal(new long[] { 2 * k, vocabulary.Size }, stepped.shape);
            Assert.True(stepped.allclose(full, rtol: 1e-4, atol: 1e-5), $"position {position}: max difference {(stepped - full).abs().max().item<float>()}");

            // Each row continues from a random row of the same user (as beams do), with a random next code.
            var parents = Enumerable.Range(0, 2 * k).Select(r => ((r / k) * k) + random.Next(k)).ToArray();
            var codes = Enumerable.Range(0, 2 * k).Select(_ => (long)vocabulary.Token(position, random.Next(3))).ToArray();
            prefixes = [.. parents.Select((p, r) => new List<long>(prefixes[p]) { codes[r] })];
            cache.Reorder(tensor(parents.Select(p => (long)p).ToArray()));
            last = tensor(codes);
        }
    }

    [Fact]
    public void IncrementalDecodingRefusesTrainingMode()
    {
        var vocabulary = new SemanticIdVocabulary([2, 2], userBuckets: 2);
        var model = new TigerModel(new TigerConfig { EncoderLayers = 1, DecoderLayers = 1, NumHeads = 1, HeadDim = 4, ModelDim = 4, FfnDim = 8, RelativeBuckets = 4, RelativeMaxDistance = 8 }, vocabulary);
        var (memory, mask) = model.Encode(tensor(new long[] { vocabulary.UserToken(0), vocabulary.Token(0, 1) }).view(1, 2));
        Assert.Throws<InvalidOperationException>(() => model.DecodeNext(full(1, SemanticIdVocabulary.DecoderStart, dtype: int64), model.StartDecoding(memory, mask)));
    }
}
