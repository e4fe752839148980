using GenRec.Compute;
using GenRec.Models.Preprocessors;
using static TorchSharp.torch;

namespace GenRec.Training;

/// <summary>A training batch: inputs and targets [B, N] (0 where nothing is supervised), optional timestamps [B, N + 1] and input rating levels [B, N].</summary>
internal sealed record TrainingBatch(Tensor Inputs, Tensor Targets, Tensor? Timestamps, Tensor? Ratings = null)
{
    /// <summary>The batch on the device (each tensor copied once; itself on the CPU).</summary>
    public TrainingBatch To(Device device) => new(Inputs.ToDevice(device), Targets.ToDevice(device), Timestamps.ToDevice(device), Ratings.ToDevice(device));
}

/// <summary>
/// Turns item sequences into right-padded id tensors. Autoregressive rows keep the last
/// <c>maxLength + 1</c> items: inputs are all but the last, targets all but the first, so that the
/// state at every position is supervised with the next item. Cloze rows (BERT4Rec) keep the last
/// <c>maxLength</c> items and replace random positions by the mask token, which are the targets.
/// </summary>
internal static class SequenceBatcher
{
    /// <summary>
    /// Autoregressive batch; timestamps (when given) cover the window's <c>n + 1</c> items, so column t + 1 is the time of
    /// target t. With <paramref name="lastOnly"/> only each row's last position has a target (the others are 0): the
    /// state after the whole input window predicts the sequence's last item, as LLM-ESR's research code trains GRU4Rec.
    /// </summary>
    public static TrainingBatch Autoregressive(IReadOnlyList<int[]> sequences, IReadOnlyList<long[]>? timestamps, int maxLength, IReadOnlyList<float[]>? ratings = null, bool lastOnly = false)
    {
        var n = sequences.Max(s => Math.Min(s.Length, maxLength + 1)) - 1;
        var inputs = new long[sequences.Count * n];
        var targets = new long[sequences.Count * n];
        var times = timestamps is null ? null : new long[sequences.Count * (n + 1)];
        var levels = ratings is null ? null : new long[sequences.Count * n];
        for (var b = 0; b < sequences.Count; b++)
        {
            var s = sequences[b];
            var start = Math.Max(0, s.Length - (maxLength + 1));
            for (var t = 0; start + t + 1 < s.Length; t++)
            {
                inputs[(b * n) + t] = s[start + t];
                targets[(b * n) + t] = lastOnly && start + t + 2 < s.Length ? 0 : s[start + t + 1];
                if (levels is not null)
                {
                    levels[(b * n) + t] = RatingLevels.Of(ratings![b][start + t]);
                }
            }

            if (times is not null)
            {
                for (var t = 0; start + t < s.Length; t++)
                {
                    times[(b * (n + 1)) + t] = timestamps![b][start + t];
                }
            }
        }

        return new TrainingBatch(
            tensor(inputs, [sequences.Count, n]),
            tensor(targets, [sequences.Count, n]),
            times is null ? null : tensor(times, [sequences.Count, n + 1]),
            levels is null ? null : tensor(levels, [sequences.Count, n]));
    }

    /// <summary>
    /// Cloze batch: each of the last <paramref name="maxLength"/> items is masked with probability
    /// <paramref name="maskProbability"/> (at least one per row); masked positions are the targets. Rows flagged in
    /// <paramref name="lastItemOnly"/> mask their last item only (the next-item case inside cloze training). With
    /// <paramref name="randomItems"/> &gt; 0 a masked position takes BERT's 80/10/10 rule: the [mask] token with
    /// probability 0.8, a uniform item of 1..<paramref name="randomItems"/> with 0.1, its own item with 0.1 (a target
    /// either way).
    /// </summary>
    public static TrainingBatch Cloze(IReadOnlyList<int[]> sequences, int maxLength, double maskProbability, long maskToken, Random rng, IReadOnlyList<bool>? lastItemOnly = null, int randomItems = 0)
    {
        var n = sequences.Max(s => Math.Min(s.Length, maxLength));
        var inputs = new long[sequences.Count * n];
        var targets = new long[sequences.Count * n];
        for (var b = 0; b < sequences.Count; b++)
        {
            var s = sequences[b];
            var start = Math.Max(0, s.Length - maxLength);
            var length = s.Length - start;
            for (var t = 0; t < length; t++)
            {
                inputs[(b * n) + t] = s[start + t];
            }

            if (length == 0)
            {
                continue;
            }

            if (lastItemOnly is not null && lastItemOnly[b])
            {
                Mask(b, length - 1, replace: false);
                continue;
            }

            var masked = 0;
            for (var t = 0; t < length; t++)
            {
                if (rng.NextDouble() < maskProbability)
                {
                    Mask(b, t, randomItems > 0);
                    masked++;
                }
            }

            if (masked == 0)
            {
                Mask(b, rng.Next(length), randomItems > 0);
            }
        }

        return new TrainingBatch(tensor(inputs, [sequences.Count, n]), tensor(targets, [sequences.Count, n]), null);

        void Mask(int b, int t, bool replace)
        {
            var at = (b * n) + t;
            targets[at] = inputs[at];
            var draw = replace ? rng.NextDouble() : 0.0;
            inputs[at] = draw < 0.8 ? maskToken : draw < 0.9 ? rng.Next(1, randomItems + 1) : inputs[at];
        }
    }

    /// <summary>
    /// The last <paramref name="maxLength"/> items of each history, right-padded: ids [B, N], each
    /// row's length, and (when every history has them) timestamps [B, N + 1] with the request time
    /// after the last item. With a <paramref name="maskToken"/> the history keeps <c>maxLength - 1</c>
    /// items and the mask is appended (the position whose state is read). Ratings (when given) become
    /// rating levels [B, N]; the mask's rating is padding.
    /// </summary>
    public static (Tensor Ids, long[] Lengths, Tensor? Timestamps, Tensor? Ratings) HistoryBatch(
        IReadOnlyList<int[]> histories,
        int maxLength,
        IReadOnlyList<long[]?>? historyTimes = null,
        IReadOnlyList<long>? requestTimes = null,
        long? maskToken = null,
        IReadOnlyList<float[]?>? historyRatings = null)
    {
        var keep = maskToken is null ? maxLength : maxLength - 1;
        var extra = maskToken is null ? 0 : 1;
        var n = Math.Max(1, histories.Max(h => Math.Min(h.Length, keep) + extra));
        var ids = new long[histories.Count * n];
        var lengths = new long[histories.Count];
        var withTimes = historyTimes is not null && requestTimes is not null && historyTimes.All(t => t is not null);
        var times = withTimes ? new long[histories.Count * (n + 1)] : null;
        if (historyRatings is not null && historyRatings.Any(r => r is null))
        {
            throw new InvalidOperationException("the model needs ratings, but a history has none");
        }

        var levels = historyRatings is null ? null : new long[histories.Count * n];
        for (var b = 0; b < histories.Count; b++)
        {
            var h = histories[b];
            var start = Math.Max(0, h.Length - keep);
            var count = h.Length - start;
            for (var t = 0; t < count; t++)
            {
                ids[(b * n) + t] = h[start + t];
                if (levels is not null)
                {
                    levels[(b * n) + t] = RatingLevels.Of(historyRatings![b]![start + t]);
                }

                if (times is not null)
                {
                    times[(b * (n + 1)) + t] = historyTimes![b]![start + t];
                }
            }

            if (maskToken is { } mask)
            {
                ids[(b * n) + count] = mask;
            }

            lengths[b] = count + extra;
            if (times is not null)
            {
                times[(b * (n + 1)) + count] = requestTimes![b];
            }
        }

        return (tensor(ids, [histories.Count, n]), lengths, times is null ? null : tensor(times, [histories.Count, n + 1]), levels is null ? null : tensor(levels, [histories.Count, n]));
    }
}
