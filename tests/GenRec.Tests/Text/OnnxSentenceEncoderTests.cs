using GenRec.Text;

namespace GenRec.Tests.Text;

/// <summary>The ONNX sentence encoder on hand-built models: tokenisation, masked mean pooling, pooled outputs, batching, errors.</summary>
public class OnnxSentenceEncoderTests
{
    private static readonly string[] Vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "red", "lip", "##stick", "balm", "matte", "shade", "##s", "."];

    private static float[,] Table()
    {
        var random = new Random(7);
        var table = new float[Vocabulary.Length, 4];
        for (var i = 0; i < Vocabulary.Length; i++)
        {
            for (var k = 0; k < 4; k++)
            {
                table[i, k] = (float)((random.NextDouble() * 2) - 1);
            }
        }

        return table;
    }

    private static string Model(TempDir dir, float[,] table, bool pooled)
    {
        File.WriteAllLines(Path.Combine(dir.Path, "vocab.txt"), Vocabulary);
        var path = Path.Combine(dir.Path, "model.onnx");
        OnnxModelWriter.TokenEmbeddingModel(path, table, pooled);
        return path;
    }

    private static float[] Normalised(IEnumerable<float> values)
    {
        var v = values.ToArray();
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return [.. v.Select(x => x / norm)];
    }

    private static float[] Row(float[] rows, int index, int dim) => rows.AsSpan(index * dim, dim).ToArray();

    [Fact]
    public void TokenisesWithWordPieceAndMeanPoolsTheAttendedTokens()
    {
        using var dir = new TempDir();
        var table = Table();
        using var encoder = new OnnxSentenceEncoder(Model(dir, table, pooled: false));
        Assert.Equal(4, encoder.Dim);
        Assert.Equal(new[] { 2, 5, 6, 7, 8, 3 }, encoder.Tokenize("Red Lipstick balm"));    // [CLS] red lip ##stick balm [SEP]
        Assert.Equal(new[] { 2, 9, 10, 11, 1, 3 }, encoder.Tokenize("matte shades zzz"));   // unknown word -> [UNK]

        // A short text batched with a longer one (so padded) gives the vector it gets alone: mean of its tokens' rows, normalised.
        var texts = new[] { "red balm", "Matte lipstick shades. red" };
        var vectors = encoder.Encode(texts);
        for (var t = 0; t < texts.Length; t++)
        {
            var ids = encoder.Tokenize(texts[t]);
            var expected = Normalised(Enumerable.Range(0, 4).Select(k => ids.Average(id => table[id, k])).Select(x => (float)x));
            var actual = Row(vectors, t, 4);
            for (var k = 0; k < 4; k++)
            {
                Assert.Equal(expected[k], actual[k], 5);
            }

            Assert.Equal(actual, encoder.Encode([texts[t]]));
        }
    }

    [Fact]
    public void UsesAPooledOutputWhenTheModelHasOneAndTruncatesLongTexts()
    {
        using var dir = new TempDir();
        var table = Table();
        using var encoder = new OnnxSentenceEncoder(Model(dir, table, pooled: true), options: new OnnxEncoderOptions { MaxTokens = 4 });
        Assert.Equal(new[] { 2, 5, 6, 3 }, encoder.Tokenize("red lipstick balm"));         // truncated, [SEP] kept
        var ids = encoder.Tokenize("red lipstick balm");
        var expected = Normalised(Enumerable.Range(0, 4).Select(k => ids.Max(id => table[id, k])));  // the model max-pools
        var actual = encoder.Encode(["red lipstick balm"]);
        for (var k = 0; k < 4; k++)
        {
            Assert.Equal(expected[k], actual[k], 5);
        }
    }

    [Fact]
    public void ClsPoolingTakesTheFirstTokensStateAndAnInMemoryModelEqualsItsFile()
    {
        using var dir = new TempDir();
        var table = Table();
        var path = Model(dir, table, pooled: false);
        var options = new OnnxEncoderOptions { Pooling = SentencePooling.Cls };
        using var vocab = File.OpenRead(Path.Combine(dir.Path, "vocab.txt"));
        using var fromBytes = new OnnxSentenceEncoder(File.ReadAllBytes(path), vocab, "in-memory", options);
        using var fromFile = new OnnxSentenceEncoder(path, options: options);
        Assert.Equal("in-memory", fromBytes.Name);
        var vectors = fromBytes.Encode(["red balm", "matte shades"]);
        var cls = Normalised(Enumerable.Range(0, 4).Select(k => table[2, k]));   // every text starts with [CLS] (id 2)
        for (var t = 0; t < 2; t++)
        {
            for (var k = 0; k < 4; k++)
            {
                Assert.Equal(cls[k], vectors[(t * 4) + k], 5);
            }
        }

        Assert.Equal(vectors, fromFile.Encode(["red balm", "matte shades"]));
    }

    [Fact]
    public void MissingOrWrongFilesAreNamedInTheError()
    {
        using var dir = new TempDir();
        var missing = Assert.Throws<FileNotFoundException>(() => new OnnxSentenceEncoder(Path.Combine(dir.Path, "none.onnx")));
        Assert.Contains("none.onnx", missing.Message);

        var model = Path.Combine(dir.Path, "model.onnx");
        OnnxModelWriter.TokenEmbeddingModel(model, Table(), pooled: false);
        var noVocab = Assert.Throws<FileNotFoundException>(() => new OnnxSentenceEncoder(model));
        Assert.Contains("vocab.txt", noVocab.Message);

        var garbage = Path.Combine(dir.Path, "garbage.onnx");
        File.WriteAllText(garbage, "not a model");
        File.WriteAllLines(Path.Combine(dir.Path, "vocab.txt"), Vocabulary);
        var bad = Assert.Throws<InvalidDataException>(() => new OnnxSentenceEncoder(garbage));
        Assert.Contains("garbage.onnx", bad.Message);
    }
}
