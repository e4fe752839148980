namespace GenRec.Training.Tiger;

/// <summary>
/// TIGER's training batches as one stream of passes over the examples: pass k (from 1) is the
/// examples shuffled with the seed and k, in batches of histories of similar length (little padding
/// is computed). An epoch is either pass <c>epoch</c>, or a fixed number of consecutive batches of the
/// stream (training counted in steps, as TIGER's). Deterministic, so a resumed run sees the same batches.
/// </summary>
internal sealed class TigerBatchStream(IReadOnlyList<Models.Tiger.GenerativeExample> examples, int batchSize, int maxHistory, int seed)
{
    private int cachedPass;
    private int[][] cached = [];
    private int passLength;

    /// <summary>Batches in one pass (the same for every pass).</summary>
    public int PassLength => passLength > 0 ? passLength : passLength = Pass(1).Length;

    public int[][] Pass(int k)
    {
        if (k != cachedPass)
        {
            cached = LengthBucketed(examples, batchSize, maxHistory, new Random((seed * 7919) + k));
            cachedPass = k;
        }

        return cached;
    }

    /// <summary>Batch <paramref name="index"/> (from 0) of the stream.</summary>
    public int[] Batch(long index)
    {
        var perPass = PassLength;
        return Pass(1 + (int)(index / perPass))[(int)(index % perPass)];
    }

    /// <summary>
    /// One pass's batches (example indices): shuffle, sort windows of 50 batches by history length,
    /// cut them into batches, and shuffle the batches. Every example is in exactly one batch; the number
    /// of batches does not depend on the shuffle.
    /// </summary>
    internal static int[][] LengthBucketed(IReadOnlyList<Models.Tiger.GenerativeExample> examples, int batchSize, int maxHistory, Random rng)
    {
        var shuffled = Enumerable.Range(0, examples.Count).OrderBy(_ => rng.Next()).ToArray();
        var window = batchSize * 50;
        var batches = new List<int[]>();
        for (var start = 0; start < shuffled.Length; start += window)
        {
            var sorted = shuffled.Skip(start).Take(window).OrderBy(i => Math.Min(examples[i].Items.Length - 1, maxHistory)).ToArray();
            batches.AddRange(sorted.Chunk(batchSize));
        }

        return [.. batches.OrderBy(_ => rng.Next())];
    }
}
