using GenRec.Configuration;
using GenRec.Models;
using static TorchSharp.torch;

namespace GenRec.Tests.Models;

/// <summary>The learned position table starts as each encoder's reference code starts it.</summary>
public class PositionInitTests
{
    // A normal cut at two standard deviations keeps 0.880 of its standard deviation.
    private const double TruncatedAtTwo = 0.8796;

    [Theory]
    [InlineData("sasrec", null, 0.14142 * TruncatedAtTwo, 2 * 0.14142)]       // sqrt(1/50), cut at two std
    [InlineData("hstu", null, 0.08944, 10.0)]                                   // Xavier-normal: sqrt(2 / (200 + 50)), not cut
    [InlineData("bert4rec", null, 0.02 * TruncatedAtTwo, 0.04)]
    [InlineData("sasrec", "bert", 0.02 * TruncatedAtTwo, 0.04)]                // the config overrides the encoder's reference
    public void PositionTableHasTheReferenceSpread(string encoder, string? positionInit, double std, double bound)
    {
        manual_seed(7);
        var model = new SequentialRecommender(new ModelConfig { Encoder = encoder, EmbeddingDim = 50, MaxSequenceLength = 200, PositionInit = positionInit is null ? null : ClosedChoice.Parse<PositionInit>(positionInit, "position_init") }, numItems: 10);
        var table = model.named_parameters().Single(p => p.name.Contains("positions")).parameter; // [200, 50]
        Assert.Equal(new long[] { 200, 50 }, table.shape);
        Assert.InRange(table.std().item<float>(), std * 0.96, std * 1.04);
        Assert.True(table.abs().max().item<float>() <= bound + 1e-6);
    }

    [Fact]
    public void UnknownPositionInitIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => ClosedChoice.Parse<PositionInit>("uniform", "model.position_init"));
        Assert.Contains("model.position_init: 'uniform' is not a choice (available: bert, inverse_sqrt_dim, xavier_normal)", error.Message);
    }

    [Theory]
    [InlineData("gru4rec", null)]            // plain: no position table
    [InlineData("hstu", "interleaved")]      // its own item-and-rating position table
    public void PreprocessorsWithoutTheTableRejectPositionInit(string encoder, string? preprocessor)
    {
        var error = Assert.Throws<ArgumentException>(() => new SequentialRecommender(new ModelConfig { Encoder = encoder, Preprocessor = preprocessor is null ? null : ClosedChoice.Parse<PreprocessorKind>(preprocessor, "preprocessor"), PositionInit = PositionInit.Bert }, numItems: 10));
        Assert.Contains("position_init applies to the positional and rated preprocessors", error.Message);
    }
}
