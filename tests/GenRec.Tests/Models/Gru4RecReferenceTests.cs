using GenRec.Configuration;
using GenRec.Models;
using GenRec.Models.Encoders;
using static TorchSharp.torch;

namespace GenRec.Tests.Models;

/// <summary>LLM-ESR's research-code GRU4Rec (gru4rec_reference) against the GRU equations by hand, and how it differs from GenRec's gru4rec.</summary>
public sealed class Gru4RecReferenceTests
{
    private static ModelConfig Config(string encoder, int d) =>
        new() { Encoder = encoder, EmbeddingDim = d, MaxSequenceLength = 8, NumBlocks = 1, Dropout = 0.5 };

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    // Row r of W [3H, D] times x.
    private static double Dot(float[] w, int row, double[] x) => x.Select((v, i) => v * w[(row * x.Length) + i]).Sum();

    [Fact]
    public void StatesAreTheBiasFreeGruRecurrenceByHand()
    {
        manual_seed(3);
        var (d, n) = (4, 3);
        var encoder = new Gru4RecEncoder(Config("gru4rec_reference", d), reference: true);
        encoder.train(); // no dropout anywhere, so training mode changes nothing
        var x = randn(1, n, d);
        var output = encoder.forward(x, tensor(new[] { true, true, true }).view(1, n), null); // [1, N, D]

        var p = encoder.named_parameters().ToDictionary(e => e.name, e => e.parameter.detach().data<float>().ToArray());
        Assert.Equal(2, p.Count); // weight_ih_l0 and weight_hh_l0: no biases, no output layer
        var (wi, wh) = (p.Single(e => e.Key.Contains("ih")).Value, p.Single(e => e.Key.Contains("hh")).Value);
        var inputs = x.data<float>().ToArray();
        var h = new double[d];
        for (var t = 0; t < n; t++)
        {
            var xt = inputs.Skip(t * d).Take(d).Select(v => (double)v).ToArray();
            // PyTorch's gate order r, z, n: r = s(W_ir x + W_hr h), z = s(W_iz x + W_hz h), n = tanh(W_in x + r * (W_hn h)), h' = (1 - z) n + z h.
            var next = new double[d];
            for (var j = 0; j < d; j++)
            {
                var r = Sigmoid(Dot(wi, j, xt) + Dot(wh, j, h));
                var z = Sigmoid(Dot(wi, d + j, xt) + Dot(wh, d + j, h));
                var candidate = Math.Tanh(Dot(wi, (2 * d) + j, xt) + (r * Dot(wh, (2 * d) + j, h)));
                next[j] = ((1 - z) * candidate) + (z * h[j]);
            }

            h = next;
            for (var j = 0; j < d; j++)
            {
                Assert.Equal(h[j], output[0, t, j].item<float>(), 5);
            }
        }
    }

    [Fact]
    public void WeightsStartXavierNormalAndGenRecsVariantKeepsItsOutputLayer()
    {
        manual_seed(1);
        var d = 64;
        var reference = new Gru4RecEncoder(Config("gru4rec_reference", d), reference: true);
        foreach (var (_, weight) in reference.named_parameters())
        {
            // Xavier-normal on [3H, D]: std sqrt(2 / (3H + D)) = 0.0884; PyTorch's default is uniform(+-1/sqrt(H)), std 0.0722.
            Assert.Equal(Math.Sqrt(2.0 / ((3 * d) + d)), weight.std().item<float>(), 2);
        }

        var ours = new Gru4RecEncoder(Config("gru4rec", d));
        var names = ours.named_parameters().Select(e => e.name).ToArray();
        Assert.Contains(names, name => name.Contains("bias"));
        Assert.Contains(names, name => name.StartsWith("output", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => new Gru4RecEncoder(Config("gru4rec_reference", d) with { GruHiddenDim = 32 }, reference: true));
    }
}
