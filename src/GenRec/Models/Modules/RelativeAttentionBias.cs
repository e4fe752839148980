using GenRec.Configuration;
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
    private readonly TimeBuckets timeBucketing;
    private readonly int numBuckets;

    public RelativeAttentionBias(int maxLength, bool usePosition, TimeBuckets timeBucketing, int numBuckets) : base(nameof(RelativeAttentionBias))
    {
        this.maxLength = maxLength;
        this.timeBucketing = timeBucketing;
        this.numBuckets = numBuckets;
        if (usePosition)
        {
            positionWeights = nn.Parameter(normal(0, 0.02, [(2 * maxLength) - 1]));
        }

        if (timeBucketing != TimeBuckets.None)
        {
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

        using var positions = arange(n, device: device).unsqueeze(0);                  // [1, n]
        return timestamps is null
            ? ComputeAt(positions, null, null)
            : ComputeAt(positions, timestamps[.., 1..], timestamps[.., ..^1]);          // query: ts[i + 1], key: ts[j]
    }

    /// <summary>
    /// Bias for tokens at explicit positions [B|1, T] (0..maxLength-1): <c>w_pos[p_j - p_i + L - 1]</c>,
    /// plus <c>w_time[bucket(queryTime_i - keyTime_j)]</c> when both time tensors [B, T] are given.
    /// </summary>
    public Tensor? ComputeAt(Tensor positions, Tensor? queryTimes, Tensor? keyTimes)
    {
        Tensor? bias = null;
        if (positionWeights is not null)
        {
            var offsets = positions.unsqueeze(1) - positions.unsqueeze(2) + (maxLength - 1); // [B|1, T, T]: p_j - p_i + L - 1
            bias = positionWeights.index_select(0, offsets.reshape(-1)).view(offsets.shape);
        }

        if (timeWeights is not null && queryTimes is not null && keyTimes is not null)
        {
            var buckets = TimeBucketing.Bucketize(queryTimes.unsqueeze(2) - keyTimes.unsqueeze(1), timeBucketing, numBuckets); // [B, T, T]
            var timeBias = timeWeights.index_select(0, buckets.reshape(-1)).view(buckets.shape);
            bias = bias is null ? timeBias : bias + timeBias;
        }

        return bias;
    }
}
