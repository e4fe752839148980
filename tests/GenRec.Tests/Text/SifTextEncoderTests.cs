using GenRec.Text;

namespace GenRec.Tests.Text;

/// <summary>The offline SIF encoder against hand computation on a four-word vocabulary in the wink JSON format.</summary>
public class SifTextEncoderTests
{
    private static WordVectors Fixture(TempDir dir)
    {
        var json = """
            {"precision": 8, "dimensions": 2, "words": ["the", "red", "lipstick", "matte"],
             "vectors": {"the": [1, 0, 1, 0], "red": [0, 1, 1, 1], "lipstick": [2, 2, 2.83, 2], "matte": [1, -1, 1.41, 3]},
             "unkVector": [0, 0]}
            """;
        return WordVectors.Load(dir.File("words.json", json));
    }

    [Fact]
    public void WeightedMeanByHand()
    {
        using var dir = new TempDir();
        var words = Fixture(dir);
        var encoder = new SifTextEncoder(words, a: 0.1, removeCommonComponent: false);
        var h = 1 + (1 / 2.0) + (1 / 3.0) + (1 / 4.0);
        double W(int rank) => 0.1 / (0.1 + (1.0 / ((rank + 1) * h)));
        var vector = encoder.Encode(["The RED lipstick, (unknown-word)"]);
        var expected0 = ((W(0) * 1) + (W(1) * 0) + (W(2) * 2)) / 3;
        var expected1 = ((W(0) * 0) + (W(1) * 1) + (W(2) * 2)) / 3;
        Assert.Equal(expected0, vector[0], 5);
        Assert.Equal(expected1, vector[1], 5);
        Assert.Equal(new float[2], encoder.Encode(["nothing known here"]));
        Assert.True(W(3) > W(0)); // rarer words weigh more
    }

    [Fact]
    public void CommonComponentRemovalLeavesRowsOrthogonalToTheTopDirection()
    {
        using var dir = new TempDir();
        var encoder = new SifTextEncoder(Fixture(dir), a: 0.1);
        var texts = new[] { "red lipstick", "matte lipstick", "the red", "matte the", "lipstick" };
        var raw = new SifTextEncoder(Fixture(dir), a: 0.1, removeCommonComponent: false).Encode(texts);
        var u = SifTextEncoder.FirstPrincipalDirection(raw, texts.Length, 2);
        var cleaned = encoder.Encode(texts);
        for (var t = 0; t < texts.Length; t++)
        {
            Assert.Equal(0, (cleaned[2 * t] * u[0]) + (cleaned[(2 * t) + 1] * u[1]), 5);
        }

        // u maximises ||X u||: no other unit direction does better (checked on a grid).
        double Energy(double angle) => Enumerable.Range(0, texts.Length).Sum(t => Math.Pow((raw[2 * t] * Math.Cos(angle)) + (raw[(2 * t) + 1] * Math.Sin(angle)), 2));
        var best = Enumerable.Range(0, 3600).Max(i => Energy(i * Math.PI / 1800));
        Assert.Equal(best, Energy(Math.Atan2(u[1], u[0])), 4);
    }

    [Fact]
    public void MalformedVectorsNameTheField()
    {
        using var dir = new TempDir();
        var path = dir.File("bad.json", """{"dimensions": 2, "vectors": {"red": [0, 1, 1]}}""");
        var error = Assert.Throws<InvalidDataException>(() => WordVectors.Load(path));
        Assert.Contains("vectors.red", error.Message);
    }
}
