using GenRec.Configuration;
using GenRec.Models;
using GenRec.Training.Losses;
using static TorchSharp.torch;

namespace GenRec.Tests.Models;

/// <summary>Full-catalogue cross-entropy: against a brute-force sum, and chunked equal to unchunked in value and gradients.</summary>
public sealed class FullSoftmaxLossTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    public void EqualsABruteForceCrossEntropyOverEveryItem(double smoothing)
    {
        manual_seed(3);
        var model = new SequentialRecommender(new ModelConfig { EmbeddingDim = 4, MaxSequenceLength = 4, FfnHiddenDim = 4 }, numItems: 7);
        var states = nn.functional.normalize(randn(5, 4), dim: 1);
        long[] positives = [1, 7, 3, 3, 5];
        var value = new FullSoftmaxLoss(0.5, smoothing).Compute(model, states, tensor(positives), new Generator(1)).item<float>();

        var items = model.AllItemEmbeddings().detach();
        double total = 0;
        for (var m = 0; m < 5; m++)
        {
            // Items 1..7 compete; padding (0) is not a class.
            var logits = Enumerable.Range(1, 7).Select(i => (states[m] * items[i]).sum().item<float>() / 0.5).ToArray();
            var logZ = Math.Log(logits.Sum(Math.Exp));
            var logP = logits.Select(l => l - logZ).ToArray();
            total += -((1 - smoothing) * logP[positives[m] - 1]) - (smoothing * logP.Average());
        }

        Assert.Equal(total / 5, value, 4);
    }

    [Fact]
    public void ChunksGiveTheSameLossAndGradientsAsOnePass()
    {
        manual_seed(8);
        var model = new SequentialRecommender(new ModelConfig { EmbeddingDim = 8, MaxSequenceLength = 6, FfnHiddenDim = 8 }, numItems: 40);
        var ids = randint(1, 41, [4, 6], dtype: int64);
        var positives = randint(1, 41, [24], dtype: int64);

        (float Loss, Dictionary<string, Tensor> Grads) Run(long maxLogits)
        {
            foreach (var p in model.parameters())
            {
                p.grad?.zero_();
            }

            var states = model.forward(ids).reshape(24, -1);                            // [24, D]
            var loss = new FullSoftmaxLoss(0.2, 0.05, maxLogits).Compute(model, states, positives, new Generator(1));
            loss.backward();
            return (loss.item<float>(), model.named_parameters().Where(p => p.parameter.grad is not null).ToDictionary(p => p.name, p => p.parameter.grad!.clone()));
        }

        model.eval(); // no dropout: both passes see the same function
        var whole = Run(1L << 30);
        var chunked = Run(41 * 5);                                                      // chunks of 5 positions
        Assert.Equal(whole.Loss, chunked.Loss, 5);
        Assert.Equal(whole.Grads.Keys.Order(), chunked.Grads.Keys.Order());
        Assert.NotEmpty(whole.Grads);
        foreach (var (name, grad) in whole.Grads)
        {
            Assert.True(allclose(grad, chunked.Grads[name], rtol: 1e-4, atol: 1e-6), $"{name}: gradients differ");
        }
    }
}
