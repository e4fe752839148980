using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Models.Modules;

/// <summary>
/// HSTU's relative attention bias (generative-recommenders' <c>RelativeBucketedTimeAndPositionBasedBias</c>):
/// <c>rab[i, j] = w_pos[j - i + L - 1] + w_time[bucket(ts[i + 1] - ts[j])]</c>, a learned Toeplitz
/// position term over <c>2L - 1</c> offsets plus a learned term over bucketed time gaps between the
/// time of the prediction at i (the next item's time) and the time of key j. Either term can be off;
/// the time term is off when no timestamps are given.
/// </summary>
internal sealed class RelativeAttentionBias : nn.Module
{
    private readonly TorchSharp.Modules.Parameter? positionWeights;
    private readonly TorchSharp.Modules.Parameter? timeWeights;
    private readonly int maxLength;
    private readonly string timeBucketing;
    private readonly int numBuckets;

    public RelativeAttentionBias(int maxLength, bool usePosition, string timeBucketing, int numBuckets) : base(nameof(RelativeAttentionBias))
    {
        this.maxLength = maxLength;
        this.timeBucketing = timeBucketing;
        this.numBuckets = numBuckets;
        if (usePosition)
        {
            positionWeights = nn.Parameter(normal(0, 0.02, [(2 * maxLength) - 1]));
        }

        if (timeBucketing != "none")
        {
            _ = TimeBucketing.Bucketize(zeros(1, dtype: int64), timeBucketing, numBuckets); // validates the name
            timeWeights = nn.Parameter(normal(0, 0.02, [numBuckets + 1]));
        }

        RegisterComponents();
    }

    public bool UsesTimestamps => timeWeights is not null;

    /// <summary>Bias for a batch of length n: [1, n, n] (position only) or [B, n, n]; null when both terms are off.</summary>
    public Tensor? Compute(long n, Tensor? timestamps, Device device)
    {
        if (n > maxLength)
        {
            throw new ArgumentException($"sequence length {n} exceeds the bias' maximum {maxLength}");
        }

        Tensor? bias = null;
        if (positionWeights is not null)
        {
            var offsets = arange(n, device: device).unsqueeze(0) - arange(n, device: device).unsqueeze(1) + (maxLength - 1); // [n, n]: j - i + L - 1
            bias = positionWeights.index_select(0, offsets.view(-1)).view(1, n, n);
        }

        if (timeWeights is not null && timestamps is not null)
        {
            var queryTimes = timestamps[.., 1..].unsqueeze(2);                 // [B, n, 1]: ts[i + 1]
            var keyTimes = timestamps[.., ..^1].unsqueeze(1);                  // [B, 1, n]: ts[j]
            var buckets = TimeBucketing.Bucketize(queryTimes - keyTimes, timeBucketing, numBuckets); // [B, n, n]
            var timeBias = timeWeights.index_select(0, buckets.view(-1)).view(buckets.shape);
            bias = bias is null ? timeBias : bias + timeBias;
        }

        return bias;
    }
}
