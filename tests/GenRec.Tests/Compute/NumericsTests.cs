using GenRec.Configuration;
using GenRec.Compute;
using GenRec.Models;
using GenRec.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Tests.Compute;

/// <summary>bf16 matrix products against fp32, and gradient clipping on the device against libtorch's.</summary>
public class NumericsTests
{
    private static readonly int[][] Sequences = [[1, 2, 3, 4, 5, 6, 7, 8], [9, 10, 11], [2, 4, 6, 8, 10, 12, 14, 16, 18], [5, 3, 1, 7]];

    private static Tensor Loss(SequentialRecommender model, bool bf16)
    {
        using var precision = MixedPrecision.Use(bf16);
        var batch = SequenceBatcher.Autoregressive(Sequences, null, maxLength: 10);
        var supervised = batch.Targets.view(-1).ne(0).nonzero().squeeze(1);
        var states = model.forward(new SequenceInput(batch.Inputs));
        var flat = states.view(-1, states.shape[2]).index_select(0, supervised);
        var positives = batch.Targets.view(-1).index_select(0, supervised);
        return nn.functional.cross_entropy(model.ScoreAll(flat) / 0.05, positives);  // fp32 scores and loss
    }

    /// <summary>
    /// The bf16 path (projections and feed-forwards in bfloat16, 8-bit mantissa) keeps a small SASRec's and
    /// HSTU's loss within 2% of fp32 and its gradients pointing the same way (cosine above 0.99); parameters stay fp32.
    /// </summary>
    [Theory]
    [InlineData("sasrec")]
    [InlineData("hstu")]
    public void Bf16MatmulsStayCloseToFp32WithFp32ParametersAndLoss(string encoder)
    {
        manual_seed(6);
        var model = new SequentialRecommender(new ModelConfig { Encoder = encoder, EmbeddingDim = 32, MaxSequenceLength = 10, FfnHiddenDim = 64, NumHeads = 2, Dropout = 0 }, numItems: 30);
        model.zero_grad();
        var fp32 = Loss(model, bf16: false);
        fp32.backward();
        var fp32Grad = cat(model.parameters().Where(p => p.grad is not null).Select(p => p.grad!.flatten()).ToArray()).clone();
        model.zero_grad();
        var bf16 = Loss(model, bf16: true);
        Assert.Equal(ScalarType.Float32, bf16.dtype);
        bf16.backward();
        var bf16Grad = cat(model.parameters().Where(p => p.grad is not null).Select(p => p.grad!.flatten()).ToArray());
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        Assert.All(model.parameters().Where(p => p.grad is not null), p => Assert.Equal(ScalarType.Float32, p.grad!.dtype));
        var relative = Math.Abs(bf16.item<float>() - fp32.item<float>()) / fp32.item<float>();
        Assert.True(relative < 0.02, $"{encoder}: bf16 loss {bf16.item<float>():F5} vs fp32 {fp32.item<float>():F5}");
        Assert.True(relative > 0, "the bf16 path computed nothing in bf16");
        var cosine = nn.functional.cosine_similarity(fp32Grad.unsqueeze(0), bf16Grad.unsqueeze(0)).item<float>();
        Assert.True(cosine > 0.99, $"{encoder}: gradient cosine {cosine:F4}");
        Assert.False(MixedPrecision.Bf16);                                                // the scope ended
    }

    [Fact]
    public void ClippingOnTheDeviceEqualsLibtorchs()
    {
        foreach (var maxNorm in new[] { 0.5, 100.0 })
        {
            manual_seed(7);
            var a = nn.Linear(6, 4);
            var b = nn.Linear(6, 4);
            b.load_state_dict(a.state_dict());
            var x = randn(5, 6) * 3;
            a.forward(x).pow(2).sum().backward();
            b.forward(x).pow(2).sum().backward();
            nn.utils.clip_grad_norm_(a.parameters(), maxNorm);
            OptimizerStep.ClipGradNorm(b.parameters(), maxNorm);
            foreach (var (pa, pb) in a.parameters().Zip(b.parameters()))
            {
                Assert.True(allclose(pa.grad!, pb.grad!, rtol: 1e-5, atol: 1e-7), $"max norm {maxNorm}: gradients differ");
            }
        }
    }
}
