using GenRec.Configuration;
using GenRec.Models;
using GenRec.Models.Encoders;
using static TorchSharp.torch;

namespace GenRec.Tests.Models;

/// <summary>The research code's SASRec block (sasrec) against a hand-written loop, its initialisation, and the affine variant beside it.</summary>
public sealed class SasRecVariantTests
{
    private static ModelConfig Config(int d, int hidden, int blocks = 1) =>
        new() { Encoder = "sasrec", EmbeddingDim = d, MaxSequenceLength = 8, NumBlocks = blocks, NumHeads = 1, FfnHiddenDim = hidden, Dropout = 0 };

    // Layer norm without scale or shift: (x - mean) / sqrt(var + 1e-8), biased variance.
    private static double[] Norm(double[] x)
    {
        var mean = x.Average();
        var variance = x.Select(v => (v - mean) * (v - mean)).Average();
        return [.. x.Select(v => (v - mean) / Math.Sqrt(variance + 1e-8))];
    }

    private static double[] Linear(Tensor weight, Tensor bias, double[] x)
    {
        var (w, b) = (weight.data<float>().ToArray(), bias.data<float>().ToArray());
        var outputs = (int)weight.shape[0];
        return [.. Enumerable.Range(0, outputs).Select(o => b[o] + x.Select((v, i) => v * w[(o * x.Length) + i]).Sum())];
    }

    [Fact]
    public void OneBlockEqualsTheResearchCodesFormulaByHand()
    {
        manual_seed(2);
        var (d, hidden, n) = (4, 6, 3);
        var encoder = new SasRecEncoder(Config(d, hidden), reference: true);
        encoder.eval();
        var x = randn(1, n, d);
        var valid = tensor(new[] { true, true, false }).view(1, n);
        var output = encoder.forward(x, valid, null);                                   // [1, N, D]

        var p = encoder.named_parameters().ToDictionary(e => e.name, e => e.parameter.detach());
        Assert.DoesNotContain(p.Keys, k => k.Contains("Norm", StringComparison.OrdinalIgnoreCase)); // no scale, shift or final norm
        var rows = Enumerable.Range(0, n).Select(t => Enumerable.Range(0, d).Select(j => (double)x[0, t, j].item<float>()).ToArray()).ToArray();
        var q = rows.Select(Norm).ToArray();
        var queries = q.Select(r => Linear(p["attentions.0.queryProjection.weight"], p["attentions.0.queryProjection.bias"], r)).ToArray();
        var keys = rows.Select(r => Linear(p["attentions.0.keyProjection.weight"], p["attentions.0.keyProjection.bias"], r)).ToArray();
        var values = rows.Select(r => Linear(p["attentions.0.valueProjection.weight"], p["attentions.0.valueProjection.bias"], r)).ToArray();
        for (var t = 0; t < n; t++)
        {
            // Causal softmax attention (queries from the normalised input, keys and values from the input itself).
            var logits = Enumerable.Range(0, t + 1).Select(s => queries[t].Zip(keys[s], (a, b) => a * b).Sum() / Math.Sqrt(d)).ToArray();
            var weights = logits.Select(l => Math.Exp(l - logits.Max())).ToArray();
            var attended = Enumerable.Range(0, d).Select(j => Enumerable.Range(0, t + 1).Sum(s => weights[s] * values[s][j]) / weights.Sum()).ToArray();
            var a = Linear(p["attentions.0.outputProjection.weight"], p["attentions.0.outputProjection.bias"], attended);
            var y = Norm([.. q[t].Zip(a, (u, v) => u + v)]);                                                  // LN(Q + MHA)
            var inner = Linear(p["feedForwards.0.inner.weight"], p["feedForwards.0.inner.bias"], y).Select(h => Math.Max(0, h)).ToArray();
            var expected = Linear(p["feedForwards.0.outer.weight"], p["feedForwards.0.outer.bias"], inner).Zip(y, (f, r) => (f + r) * (t < 2 ? 1 : 0)).ToArray();
            for (var j = 0; j < d; j++)
            {
                Assert.Equal(expected[j], output[0, t, j].item<float>(), 4);
            }
        }
    }

    [Fact]
    public void InitialisationIsXavierNormalWithTorchsFansAndZeroAttentionBiases()
    {
        manual_seed(4);
        var (d, hidden) = (128, 256);
        var p = new SasRecEncoder(Config(d, hidden, blocks: 2), reference: true).named_parameters().ToDictionary(e => e.name, e => e.parameter.detach());
        void Spread(string name, double expected) => Assert.InRange(p[name].std().item<float>(), 0.95 * expected, 1.05 * expected);
        Spread("attentions.1.queryProjection.weight", Math.Sqrt(2.0 / (4 * d)));          // q, k, v as one [3D, D] matrix
        Spread("attentions.1.valueProjection.weight", Math.Sqrt(2.0 / (4 * d)));
        Spread("attentions.1.outputProjection.weight", Math.Sqrt(2.0 / (2 * d)));
        Spread("feedForwards.0.inner.weight", Math.Sqrt(2.0 / (d + hidden)));
        Spread("feedForwards.0.outer.weight", Math.Sqrt(2.0 / (d + hidden)));
        Assert.Equal(0, p["attentions.0.keyProjection.bias"].abs().max().item<float>());
        Assert.Equal(0, p["attentions.0.outputProjection.bias"].abs().max().item<float>());

        // The affine variant keeps its norms' scales and shifts and a final norm.
        var affine = new SasRecEncoder(Config(d, hidden) with { Encoder = "sasrec_affine" }, reference: false).named_parameters().Select(e => e.name).ToArray();
        Assert.Contains("finalNorm.weight", affine);
        Assert.Contains("attentionNorms.0.bias", affine);
        Assert.Equal(["sasrec", "sasrec_affine"], EncoderRegistry.Names.Where(n => n.StartsWith("sasrec", StringComparison.Ordinal)));
    }

    [Fact]
    public void ACheckpointFromBeforeTheSplitLoadsAsTheAffineVariant()
    {
        using var dir = new TempDir();
        manual_seed(6);
        var affine = new RunConfig { Model = Config(8, 8) with { Encoder = "sasrec_affine" } };
        var model = new SequentialRecommender(affine.Model, numItems: 10);
        var path = Path.Combine(dir.Path, "old.ckpt");
        // What an earlier GenRec wrote: the affine layout under the name "sasrec".
        GenRec.Checkpoints.RetrievalCheckpoint.Save(path, affine with { Model = affine.Model with { Encoder = "sasrec" } }, model, null, new GenRec.Training.TrainingState());
        var (loaded, header) = GenRec.Checkpoints.RetrievalCheckpoint.LoadModel(path);
        Assert.Equal("sasrec_affine", header.Config.Model.Encoder);
        var ids = tensor(new long[,] { { 1, 2, 3 } });
        model.eval();
        Assert.True(allclose(model.forward(ids), loaded.forward(ids)));
    }
}
