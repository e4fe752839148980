using GenRec.Compute;
using GenRec.Models.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenRec.Models.Tiger;

/// <summary>T5's layer norm: scale only, no mean subtraction, no bias: <c>w * x / sqrt(mean(x^2) + eps)</c>.</summary>
internal sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;

    public RmsNorm(int dim) : base(nameof(RmsNorm))
    {
        weight = nn.Parameter(ones(dim));
        RegisterComponents();
    }

    // [..., D] -> [..., D]
    public override Tensor forward(Tensor x) => weight * x * (x.pow(2).mean([-1], keepdim: true) + 1e-6).rsqrt();
}

/// <summary>
/// T5's relative position bias: a learned scalar per head for each bucket of <c>key - query</c>;
/// half the buckets for each sign when bidirectional, exact buckets for small distances and
/// logarithmic ones up to <c>maxDistance</c>.
/// </summary>
internal sealed class T5RelativeBias : nn.Module
{
    private readonly Embedding buckets;
    private readonly int numBuckets;
    private readonly int maxDistance;
    private readonly bool bidirectional;

    public T5RelativeBias(int heads, int numBuckets, int maxDistance, bool bidirectional) : base(nameof(T5RelativeBias))
    {
        buckets = nn.Embedding(numBuckets, heads);
        this.numBuckets = numBuckets;
        this.maxDistance = maxDistance;
        this.bidirectional = bidirectional;
        RegisterComponents();
    }

    /// <summary>Bias [1, H, T, S] for queries <c>firstQuery..firstQuery+T-1</c> and keys 0..S-1.</summary>
    public Tensor Compute(long queries, long keys, Device device, long firstQuery = 0)
    {
        var relative = arange(keys, device: device).unsqueeze(0) - arange(firstQuery, firstQuery + queries, device: device).unsqueeze(1); // [T, S]: key - query
        var bucket = Bucket(relative, bidirectional, numBuckets, maxDistance);
        return buckets.forward(bucket).permute(2, 0, 1).unsqueeze(0);                  // [1, H, T, S]
    }

    internal static Tensor Bucket(Tensor relative, bool bidirectional, int numBuckets, int maxDistance)
    {
        var result = zeros_like(relative);
        var n = numBuckets;
        if (bidirectional)
        {
            n /= 2;
            result = result + (relative.gt(0).to(int64) * n);
            relative = relative.abs();
        }
        else
        {
            relative = (-relative).clamp_min(0);
        }

        var exact = n / 2;
        var isSmall = relative.lt(exact);
        var large = exact + ((relative.to(float32) / exact).log() / Math.Log(maxDistance / (double)exact) * (n - exact)).to(int64);
        large = large.clamp_max(n - 1);
        return result + where(isSmall, relative, large);
    }
}

/// <summary>Multi-head attention as T5 (no biases; relative position bias added to the logits), with a boolean mask [B|1, T, S].</summary>
internal sealed class T5Attention : nn.Module
{
    private readonly Linear query;
    private readonly Linear key;
    private readonly Linear value;
    private readonly Linear output;
    private readonly FastDropout dropout;
    private readonly int heads;
    private readonly int headDim;

    public T5Attention(int dim, int heads, int headDim, double dropoutRate) : base(nameof(T5Attention))
    {
        query = nn.Linear(dim, heads * headDim, hasBias: false);
        key = nn.Linear(dim, heads * headDim, hasBias: false);
        value = nn.Linear(dim, heads * headDim, hasBias: false);
        output = nn.Linear(heads * headDim, dim, hasBias: false);
        dropout = new FastDropout(dropoutRate);
        this.heads = heads;
        this.headDim = headDim;
        RegisterComponents();
    }

    // x [B, T, D], memory [B, S, D], mask [B|1, T, S] (true = may attend), bias [1, H, T, S]? -> [B, T, D]
    public Tensor Forward(Tensor x, Tensor memory, Tensor mask, Tensor? bias)
    {
        var (keys, values) = KeysValues(memory);
        return Attend(x, keys, values, mask, bias);
    }

    /// <summary>Keys and values of the attended states: memory [B, S, D] -> ([B, H, S, dh], [B, H, S, dh]).</summary>
    public (Tensor Keys, Tensor Values) KeysValues(Tensor memory)
    {
        var (b, s) = (memory.shape[0], memory.shape[1]);
        var k = key.Apply(memory).view(b, s, heads, headDim).transpose(1, 2);         // [B, H, S, dh]
        var v = value.Apply(memory).view(b, s, heads, headDim).transpose(1, 2);       // [B, H, S, dh]
        return (k, v);
    }

    // x [B, T, D] attends to keys/values [B, H, S, dh]; mask [B|1, T|1, S]? (true = may attend; null: every key), bias [1, H, T, S]? -> [B, T, D]
    public Tensor Attend(Tensor x, Tensor k, Tensor v, Tensor? mask, Tensor? bias)
    {
        var (b, t) = (x.shape[0], x.shape[1]);
        var q = query.Apply(x).view(b, t, heads, headDim).transpose(1, 2);            // [B, H, T, dh]
        var logits = q.matmul(k.transpose(2, 3)) / Math.Sqrt(headDim);                  // [B, H, T, S]
        if (bias is not null)
        {
            logits = logits + bias;
        }

        if (mask is not null)
        {
            logits = logits.masked_fill(mask.unsqueeze(1).logical_not(), float.NegativeInfinity);
        }

        var weights = dropout.forward(logits.softmax(-1).nan_to_num(0));                // rows with no key -> 0
        return output.Apply(weights.matmul(v).transpose(1, 2).reshape(b, t, heads * headDim));
    }

    /// <summary>
    /// One new token per row attending to a prefix its row shares and to its row's own keys (incremental decoding of K beams
    /// after one history): x [R, 1, D] with R = B * K (rows b * K .. b * K + K - 1 continue prefix b), prefix keys/values
    /// [B, H, P, dh] with key mask [B, 1, P], own keys/values [R, H, S, dh] (the row's decoded tokens, this one included),
    /// bias [1, H, 1, P + S] -> [R, 1, D]. The K rows' queries meet their prefix as one row of K queries, so the prefix is
    /// neither copied nor projected again per beam; one softmax runs over prefix and own keys together.
    /// </summary>
    public Tensor AttendAfterSharedPrefix(Tensor x, Tensor prefixKeys, Tensor prefixValues, Tensor prefixMask, Tensor ownKeys, Tensor ownValues, Tensor bias)
    {
        var (r, b, p) = (x.shape[0], prefixKeys.shape[0], prefixKeys.shape[2]);
        var k = r / b;
        var scale = Math.Sqrt(headDim);
        var q = query.Apply(x).view(r, 1, heads, headDim).transpose(1, 2);             // [R, H, 1, dh]
        var shared = q.view(b, k, heads, headDim).transpose(1, 2);                      // [B, H, K, dh]
        var prefixLogits = (shared.matmul(prefixKeys.transpose(2, 3)) / scale)          // [B, H, K, P]
            .masked_fill(prefixMask.unsqueeze(1).logical_not(), float.NegativeInfinity)
            .transpose(1, 2).reshape(r, heads, 1, p);                                   // [R, H, 1, P]
        var ownLogits = q.matmul(ownKeys.transpose(2, 3)) / scale;                      // [R, H, 1, S]
        var weights = dropout.forward((cat([prefixLogits, ownLogits], dim: -1) + bias).softmax(-1)); // [R, H, 1, P + S]: the own token is always a key
        var fromPrefix = weights[.., .., .., ..(int)p].reshape(b, k, heads, p).transpose(1, 2) // [B, H, K, P]
            .matmul(prefixValues)                                                        // [B, H, K, dh]
            .transpose(1, 2).reshape(r, heads, 1, headDim);                             // [R, H, 1, dh]
        var fromOwn = weights[.., .., .., (int)p..].matmul(ownValues);                   // [R, H, 1, dh]
        return output.Apply((fromPrefix + fromOwn).transpose(1, 2).reshape(r, 1, heads * headDim));
    }
}

/// <summary>T5's feed-forward block: Linear, ReLU, dropout, Linear (no biases).</summary>
internal sealed class T5FeedForward : nn.Module<Tensor, Tensor>
{
    private readonly Linear inner;
    private readonly Linear outer;
    private readonly FastDropout dropout;

    public T5FeedForward(int dim, int hidden, double dropoutRate) : base(nameof(T5FeedForward))
    {
        inner = nn.Linear(dim, hidden, hasBias: false);
        outer = nn.Linear(hidden, dim, hasBias: false);
        dropout = new FastDropout(dropoutRate);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => outer.Apply(dropout.forward(nn.functional.relu(inner.Apply(x))));
}
