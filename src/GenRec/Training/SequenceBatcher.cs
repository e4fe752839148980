using static TorchSharp.torch;

namespace GenRec.Training;

/// <summary>
/// Turns item sequences into right-padded id tensors. Training rows keep the last
/// <c>maxLength + 1</c> items: inputs are all but the last, targets all but the first, so that the
/// state at every position is supervised with the next item (autoregressive training).
/// </summary>
internal static class SequenceBatcher
{
    /// <summary>inputs, targets: [B, N] with N the longest (truncated) row; 0 pads both.</summary>
    public static (Tensor Inputs, Tensor Targets) TrainingBatch(IReadOnlyList<int[]> sequences, int maxLength)
    {
        var n = sequences.Max(s => Math.Min(s.Length, maxLength + 1)) - 1;
        var inputs = new long[sequences.Count * n];
        var targets = new long[sequences.Count * n];
        for (var b = 0; b < sequences.Count; b++)
        {
            var s = sequences[b];
            var start = Math.Max(0, s.Length - (maxLength + 1));
            for (var t = 0; start + t + 1 < s.Length; t++)
            {
                inputs[(b * n) + t] = s[start + t];
                targets[(b * n) + t] = s[start + t + 1];
            }
        }

        return (tensor(inputs, [sequences.Count, n]), tensor(targets, [sequences.Count, n]));
    }

    /// <summary>The last <paramref name="maxLength"/> items of each history, right-padded: [B, N], and each row's length.</summary>
    public static (Tensor Ids, long[] Lengths) HistoryBatch(IReadOnlyList<int[]> histories, int maxLength)
    {
        var n = Math.Max(1, histories.Max(h => Math.Min(h.Length, maxLength)));
        var ids = new long[histories.Count * n];
        var lengths = new long[histories.Count];
        for (var b = 0; b < histories.Count; b++)
        {
            var h = histories[b];
            var start = Math.Max(0, h.Length - maxLength);
            lengths[b] = h.Length - start;
            for (var t = 0; start + t < h.Length; t++)
            {
                ids[(b * n) + t] = h[start + t];
            }
        }

        return (tensor(ids, [histories.Count, n]), lengths);
    }
}
