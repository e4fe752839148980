using GenRec.Configuration;
using GenRec.Models.LlmEsr;
using static TorchSharp.torch;

namespace GenRec.Tests.LlmEsr;

/// <summary>
/// The direction of LLM-ESR's cross-attention. When one view's tokens are the same vector at every
/// position, any attention weights mix it into that same vector; so a branch whose values come from
/// that view gives the same output whatever the other view holds, and one whose values come from the
/// other view does not.
/// </summary>
public class ViewCrossAttentionTests
{
    private static (Tensor Id, Tensor Semantic) Run(ViewCrossAttention attention, Tensor id, Tensor semantic) =>
        attention.forward(id, semantic, ones(2, 5, dtype: ScalarType.Bool));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EachBranchTakesItsValuesFromTheViewNamed(bool causal)
    {
        manual_seed(3);
        var own = new ViewCrossAttention(8, new SemanticViewConfig(), causal);
        var other = new ViewCrossAttention(8, new SemanticViewConfig { CrossAttentionValues = CrossAttentionValues.Other }, causal);
        Assert.True(own.OwnValues);
        Assert.False(other.OwnValues);
        var constantId = randn(1, 1, 8).expand(2, 5, 8).contiguous();       // the same ID vector everywhere
        var constantText = randn(1, 1, 8).expand(2, 5, 8).contiguous();
        var (textA, textB, idA, idB) = (randn(2, 5, 8), randn(2, 5, 8), randn(2, 5, 8), randn(2, 5, 8));

        // Official wiring: the ID branch is a mixture of ID values, the text branch of text values.
        Assert.True(allclose(Run(own, constantId, textA).Id, Run(own, constantId, textB).Id, atol: 1e-5));
        Assert.True(allclose(Run(own, idA, constantText).Semantic, Run(own, idB, constantText).Semantic, atol: 1e-5));
        Assert.False(allclose(Run(own, idA, constantText).Id, Run(own, idB, constantText).Id, atol: 1e-3));

        // The reversed wiring: the ID branch is a mixture of text values.
        Assert.True(allclose(Run(other, idA, constantText).Id, Run(other, idB, constantText).Id, atol: 1e-5));
        Assert.False(allclose(Run(other, constantId, textA).Id, Run(other, constantId, textB).Id, atol: 1e-3));
    }

    [Fact]
    public void NoDropoutAndNoProjectionBiasesByDefault()
    {
        manual_seed(4);
        var attention = new ViewCrossAttention(8, new SemanticViewConfig(), causal: true);
        attention.train();
        var (id, text) = (randn(2, 5, 8), randn(2, 5, 8));
        Assert.True(allclose(Run(attention, id, text).Id, Run(attention, id, text).Id));   // training mode, yet the same twice
        var biases = attention.named_parameters().Where(p => p.name.EndsWith("bias", StringComparison.Ordinal)).Select(p => p.name).ToArray();
        Assert.Equal(2, biases.Length);                                                   // the two output projections only
        Assert.All(biases, b => Assert.Contains("outputProjection", b));
        Assert.Contains("available: own, other", Assert.Throws<ArgumentException>(() => ClosedChoice.Parse<CrossAttentionValues>("both", "cross_attention_values")).Message);
    }

    [Fact]
    public void TheResidualAddsEachViewsOwnTokensAndKeepsPaddingZero()
    {
        manual_seed(5);
        var plain = new ViewCrossAttention(8, new SemanticViewConfig(), causal: true);
        manual_seed(5);
        var residual = new ViewCrossAttention(8, new SemanticViewConfig { CrossAttentionResidual = true }, causal: true);
        var (id, text) = (randn(2, 5, 8), randn(2, 5, 8));
        var valid = tensor(new[] { true, true, true, false, false, true, true, true, true, true }).view(2, 5);
        var (plainId, plainText) = plain.forward(id, text, valid);
        var (residualId, residualText) = residual.forward(id, text, valid);
        var mask = valid.unsqueeze(-1).to(ScalarType.Float32);                              // [2, 5, 1]
        Assert.True(allclose(residualId - plainId, id * mask, atol: 1e-5));               // id' = MHA(q = text, k = v = id) + id
        Assert.True(allclose(residualText - plainText, text * mask, atol: 1e-5));
        Assert.Equal(0, residualId[0, 3].abs().sum().item<float>());                     // padding stays zero
    }
}
