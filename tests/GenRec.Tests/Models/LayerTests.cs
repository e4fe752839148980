using GenRec.Configuration;
using GenRec.Models;
using GenRec.Models.Modules;
using GenRec.Training.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Tests.Models;

public class LayerTests
{
    [Fact]
    public void CausalAttentionMatchesAnExplicitLoop()
    {
        manual_seed(1);
        const int n = 4, d = 6, heads = 2, dh = d / heads;
        var attention = new MultiHeadAttention(d, heads, dropoutRate: 0.0);
        attention.eval();
        var x = randn(1, n, d);
        var output = attention.forward(x, x, ones(1, n, dtype: ScalarType.Bool));
        var p = attention.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter);
        float[,] Project(string name)
        {
            var y = nn.functional.linear(x[0], p[name + ".weight"], p[name + ".bias"]);
            var r = new float[n, d];
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < d; j++)
                {
                    r[i, j] = y[i, j].item<float>();
                }
            }

            return r;
        }

        var q = Project("queryProjection");
        var k = Project("keyProjection");
        var v = Project("valueProjection");
        var concat = zeros(n, d);
        for (var h = 0; h < heads; h++)
        {
            for (var i = 0; i < n; i++)
            {
                // softmax over j <= i of q_i . k_j / sqrt(dh)
                var logits = new double[i + 1];
                for (var j = 0; j <= i; j++)
                {
                    for (var c = 0; c < dh; c++)
                    {
                        logits[j] += q[i, (h * dh) + c] * k[j, (h * dh) + c];
                    }

                    logits[j] /= Math.Sqrt(dh);
                }

                var max = logits.Max();
                var weights = logits.Select(l => Math.Exp(l - max)).ToArray();
                var sum = weights.Sum();
                for (var c = 0; c < dh; c++)
                {
                    double acc = 0;
                    for (var j = 0; j <= i; j++)
                    {
                        acc += weights[j] / sum * v[j, (h * dh) + c];
                    }

                    concat[i, (h * dh) + c] = (float)acc;
                }
            }
        }

        var expected = nn.functional.linear(concat, p["outputProjection.weight"], p["outputProjection.bias"]);
        Assert.True(allclose(output[0], expected, rtol: 1e-4, atol: 1e-5), $"max diff {(output[0] - expected).abs().max().item<float>()}");
    }

    [Fact]
    public void EncoderIsCausalAndIgnoresPadding()
    {
        manual_seed(2);
        var model = new SequentialRecommender(new ModelConfig { EmbeddingDim = 8, MaxSequenceLength = 6, FfnHiddenDim = 8, NumHeads = 2 }, numItems: 20);
        model.eval();
        var a = model.forward(tensor(new long[] { 3, 5, 7, 0, 0, 0 }).view(1, -1));
        var b = model.forward(tensor(new long[] { 3, 5, 7, 9, 11, 0 }).view(1, -1));
        var shorter = model.forward(tensor(new long[] { 3, 5, 7 }).view(1, -1));
        Assert.True(allclose(a[0, ..3], b[0, ..3], atol: 1e-6));      // the future does not leak back
        Assert.True(allclose(a[0, ..3], shorter[0], atol: 1e-6));     // padding changes nothing
        var norms = a[0, ..3].norm(-1);
        Assert.True(allclose(norms, ones_like(norms), atol: 1e-5));   // L2-normalised outputs
    }

    [Fact]
    public void EmbeddingInitIsTruncatedNormalWithZeroPadding()
    {
        manual_seed(3);
        var emb = new ItemEmbedding(5000, 32);
        var w = emb.Weight.detach();
        Assert.Equal(0f, w[0].abs().sum().item<float>());
        Assert.True(w.abs().max().item<float>() <= 0.04f + 1e-6f);
        var std = w[1..].std().item<float>();
        Assert.InRange(std, 0.015f, 0.02f);                          // truncation at 2 std shrinks it to ~0.88 * 0.02
    }

    [Fact]
    public void SampledSoftmaxMatchesBruteForce()
    {
        manual_seed(4);
        var model = new SequentialRecommender(new ModelConfig { EmbeddingDim = 4, MaxSequenceLength = 4, FfnHiddenDim = 4 }, numItems: 6);
        var states = nn.functional.normalize(randn(3, 4), dim: 1);
        var positives = tensor(new long[] { 1, 2, 2 });
        var loss = new SampledSoftmaxLoss(numNegatives: 5, temperature: 0.5, NegativeSampling.Local);
        var value = loss.Compute(model, states, positives, new Generator(11)).item<float>();

        var negatives = randint(1, 7, [3, 5], generator: new Generator(11), dtype: int64);
        var items = model.AllItemEmbeddings().detach();
        double total = 0;
        for (var m = 0; m < 3; m++)
        {
            double Logit(long item) => (states[m] * items[item]).sum().item<float>() / 0.5;
            var pos = Logit(positives[m].item<long>());
            var logits = new List<double> { pos };
            for (var r = 0; r < 5; r++)
            {
                var item = negatives[m, r].item<long>();
                logits.Add(item == positives[m].item<long>() ? -5e4 : Logit(item));
            }

            var max = logits.Max();
            total += -(pos - max - Math.Log(logits.Sum(l => Math.Exp(l - max))));
        }

        Assert.Equal(total / 3, value, 4);
    }

    [Fact]
    public void InBatchSoftmaxMasksEqualPositives()
    {
        manual_seed(5);
        var model = new SequentialRecommender(new ModelConfig { EmbeddingDim = 4, MaxSequenceLength = 4, FfnHiddenDim = 4 }, numItems: 6);
        var states = nn.functional.normalize(randn(3, 4), dim: 1);
        var positives = tensor(new long[] { 1, 2, 2 });
        var value = new SampledSoftmaxLoss(0, 1.0, NegativeSampling.InBatch).Compute(model, states, positives, new Generator(1)).item<float>();
        var items = model.AllItemEmbeddings().detach();
        double total = 0;
        long[] pos = [1, 2, 2];
        for (var m = 0; m < 3; m++)
        {
            // Row m competes with the other rows' positives, except those equal to its own.
            var logits = new List<double> { (states[m] * items[pos[m]]).sum().item<float>() };
            for (var o = 0; o < 3; o++)
            {
                logits.Add(pos[o] == pos[m] ? -5e4 : (states[m] * items[pos[o]]).sum().item<float>());
            }

            total += -(logits[0] - Math.Log(logits.Sum(Math.Exp)));
        }

        Assert.Equal(total / 3, value, 4);
    }
}
