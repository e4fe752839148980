using GenRec.Configuration;
using GenRec.Models;
using GenRec.Models.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Tests.Models;

public class HstuTests
{
    private static double Silu(double z) => z / (1 + Math.Exp(-z));

    private static double[] LayerNorm(double[] row)
    {
        var mean = row.Average();
        var variance = row.Select(x => (x - mean) * (x - mean)).Average();
        return row.Select(x => (x - mean) / Math.Sqrt(variance + 1e-6)).ToArray();
    }

    private static double[,] ToArray(Tensor t)
    {
        var (r, c) = ((int)t.shape[0], (int)t.shape[1]);
        var data = t.detach().to(float64).contiguous().data<double>().ToArray();
        var result = new double[r, c];
        for (var i = 0; i < r; i++)
        {
            for (var j = 0; j < c; j++)
            {
                result[i, j] = data[(i * c) + j];
            }
        }

        return result;
    }

    [Theory]
    [InlineData(false, "log")]
    [InlineData(true, "log")]
    [InlineData(false, "sqrt")]
    public void BlockMatchesAnExplicitLoop(bool divideByUserLength, string bucketing)
    {
        manual_seed(11);
        const int b = 2, n = 4, d = 4, heads = 2, dqk = 2, dv = 3, maxLength = 6, buckets = 128;
        var bias = new RelativeAttentionBias(maxLength, usePosition: true, ClosedChoice.Parse<TimeBuckets>(bucketing, "time_bucketing"), buckets);
        var block = new HstuBlock(d, heads, dqk, dv, dropoutRate: 0.0, maxLength, bias, divideByUserLength);
        block.eval();
        var x = randn(b, n, d);
        var valid = tensor(new[] { true, true, true, true, true, true, true, false }).view(b, n);
        long[][] ts = [[100, 160, 5000, 5010, 90000], [7, 7, 20, 4000, 0]];
        var timestamps = tensor(ts.SelectMany(r => r).ToArray(), [b, n + 1]);
        var y = block.forward(x, valid, timestamps);

        var p = block.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter);
        var w = ToArray(p["uvqk"]);
        var wo = ToArray(p["output.weight"]);
        var bo = p["output.bias"].detach().to(float64).data<double>().ToArray();
        var pos = p["bias.positionWeights"].detach().to(float64).data<double>().ToArray();
        var time = p["bias.timeWeights"].detach().to(float64).data<double>().ToArray();
        Assert.Equal((2 * maxLength) - 1, pos.Length);
        Assert.Equal(buckets + 1, time.Length);

        for (var s = 0; s < b; s++)
        {
            var xs = ToArray(x[s]);
            var length = s == 0 ? 4 : 3;
            var width = w.GetLength(1);
            var proj = new double[n, width];
            for (var i = 0; i < n; i++)
            {
                var normed = LayerNorm(Enumerable.Range(0, d).Select(c => xs[i, c]).ToArray());
                for (var o = 0; o < width; o++)
                {
                    double acc = 0;
                    for (var c = 0; c < d; c++)
                    {
                        acc += normed[c] * w[c, o];
                    }

                    proj[i, o] = Silu(acc);
                }
            }

            // split order: u, v, q, k
            double U(int i, int c) => proj[i, c];
            double V(int i, int c) => proj[i, (heads * dv) + c];
            double Q(int i, int c) => proj[i, (2 * heads * dv) + c];
            double K(int i, int c) => proj[i, (2 * heads * dv) + (heads * dqk) + c];
            var divisor = divideByUserLength ? length : maxLength;
            for (var i = 0; i < length; i++)
            {
                var attended = new double[heads * dv];
                for (var h = 0; h < heads; h++)
                {
                    for (var j = 0; j <= i; j++)
                    {
                        double logit = 0;
                        for (var c = 0; c < dqk; c++)
                        {
                            logit += Q(i, (h * dqk) + c) * K(j, (h * dqk) + c);
                        }

                        logit += pos[j - i + maxLength - 1];
                        logit += time[TimeBucketing.Bucket(ts[s][i + 1] - ts[s][j], ClosedChoice.Parse<TimeBuckets>(bucketing, "time_bucketing"), buckets)];
                        var a = Silu(logit) / divisor; // pointwise, no softmax
                        for (var c = 0; c < dv; c++)
                        {
                            attended[(h * dv) + c] += a * V(j, (h * dv) + c);
                        }
                    }
                }

                var normedAttention = LayerNorm(attended);
                var gated = Enumerable.Range(0, heads * dv).Select(c => U(i, c) * normedAttention[c]).ToArray();
                for (var o = 0; o < d; o++)
                {
                    var expected = xs[i, o] + bo[o];
                    for (var c = 0; c < heads * dv; c++)
                    {
                        expected += wo[o, c] * gated[c];
                    }

                    Assert.Equal(expected, y[s, i, o].item<float>(), 4);
                }
            }
        }
    }

    [Fact]
    public void MoreHeadsThanDimensionsAreRefusedBeforeLibtorchSeesThem()
    {
        // Found by CheckpointBoundsTests' mutations: num_heads 802 on an 8-wide HSTU left 0-wide heads, and libtorch's
        // initialiser failed with "from is out of bounds for float" instead of a clear error.
        var error = Assert.Throws<ArgumentException>(() => new SequentialRecommender(new ModelConfig { Encoder = "hstu", EmbeddingDim = 8, MaxSequenceLength = 6, NumHeads = 802 }, numItems: 10));
        Assert.Contains("embedding_dim 8 / num_heads 802", error.Message);
    }

    [Fact]
    public void LogBucketsFollowTheResearchCode()
    {
        // floor(ln(max(|dt|, 1)) / 0.301), clamped to [0, 128]
        Assert.Equal(0, TimeBucketing.Bucket(0, TimeBuckets.Log, 128));
        Assert.Equal(0, TimeBucketing.Bucket(1, TimeBuckets.Log, 128));
        Assert.Equal(2, TimeBucketing.Bucket(2, TimeBuckets.Log, 128));     // ln 2 / 0.301 = 2.30
        Assert.Equal(37, TimeBucketing.Bucket(-86400, TimeBuckets.Log, 128)); // one day: ln 86400 / 0.301 = 11.367 / 0.301 = 37.76
        Assert.Equal(128, TimeBucketing.Bucket(long.MaxValue, TimeBuckets.Sqrt, 128));
        Assert.Equal(9, TimeBucketing.Bucket(99, TimeBuckets.Sqrt, 128));
        var dts = tensor(new long[] { 0, 1, 2, -86400, 5_000_000_000 });
        var tensorBuckets = TimeBucketing.Bucketize(dts, TimeBuckets.Log, 128).data<long>().ToArray();
        Assert.Equal(new long[] { 0, 0, 2, TimeBucketing.Bucket(86400, TimeBuckets.Log, 128), TimeBucketing.Bucket(5_000_000_000, TimeBuckets.Log, 128) }, tensorBuckets);
    }

    [Fact]
    public void EncoderIsCausalIgnoresPaddingAndUsesTimeOnlyWithTimestamps()
    {
        manual_seed(12);
        var config = new ModelConfig { Encoder = "hstu", EmbeddingDim = 8, MaxSequenceLength = 6, NumHeads = 2 };
        var model = new SequentialRecommender(config, numItems: 20);
        model.eval();
        Assert.True(model.UsesTimestamps);
        var a = model.forward(tensor(new long[] { 3, 5, 7, 0, 0 }).view(1, -1));
        var b = model.forward(tensor(new long[] { 3, 5, 7, 9, 11 }).view(1, -1));
        var shorter = model.forward(tensor(new long[] { 3, 5, 7 }).view(1, -1));
        Assert.True(allclose(a[0, ..3], b[0, ..3], atol: 1e-6));
        Assert.True(allclose(a[0, ..3], shorter[0], atol: 1e-6));

        var ids = tensor(new long[] { 3, 5, 7 }).view(1, -1);
        var early = model.forward(new SequenceInput(ids, tensor(new long[] { 0, 10, 20, 30 }).view(1, -1)));
        var late = model.forward(new SequenceInput(ids, tensor(new long[] { 0, 10, 20, 9_000_000 }).view(1, -1)));
        Assert.True(allclose(early[0, ..2], late[0, ..2], atol: 1e-6));  // only the last query time changed
        Assert.False(allclose(early[0, 2], late[0, 2], atol: 1e-4));     // and it moves the last state

        var noTime = new SequentialRecommender(config with { TimeBucketing = TimeBuckets.None }, numItems: 20);
        Assert.False(noTime.UsesTimestamps);
    }
}
