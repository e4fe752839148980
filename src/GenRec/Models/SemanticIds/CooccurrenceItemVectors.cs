using static TorchSharp.torch;

namespace GenRec.Models.SemanticIds;

/// <summary>
/// Collaborative item vectors, for semantic IDs of items that have no text (e.g. Amazon Sports): the
/// positive pointwise mutual information (PPMI) of two items appearing within <c>window</c> positions
/// of each other in the training sequences, <c>max(0, ln(c_ij * total / (c_i * c_j)))</c>, factorised
/// by a seeded randomised truncated SVD (Halko, Martinsson and Tropp, 2011) into
/// <c>U_k sqrt(S_k)</c> (Levy and Goldberg's SVD of the PMI matrix). Only training sequences may be
/// given, so that held-out items leave no trace in the IDs.
/// </summary>
internal static class CooccurrenceItemVectors
{
    /// <summary>Vectors [numItems + 1, dim] row-major (row = dense item id; row 0, padding, and items that co-occur with nothing are zero).</summary>
    public static float[] Compute(IReadOnlyList<int[]> sequences, int numItems, int dim, int window, int seed)
    {
        var (rows, cols, values) = Ppmi(sequences, numItems, window);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var n = numItems + 1;
        var indices = stack([tensor(rows), tensor(cols)]);                                // [2, nnz]
        var matrix = sparse_coo_tensor(indices, tensor(values, dtype: float64), [n, n]);       // [N, N], entries unique
        var (u, s) = TruncatedSvd(matrix, dim, seed);                                    // [N, k], [k]
        var seen = zeros(n, 1, dtype: float64).index_fill_(0, tensor(rows).unique().Item1, 1.0); // [N, 1]: 0 for padding and items with no co-occurrence
        return (u * s.sqrt().unsqueeze(0) * seen).to(float32).contiguous().data<float>().ToArray();
    }

    /// <summary>The PPMI matrix's non-zero entries (both triangles; ids from 1), in row-major order.</summary>
    public static (long[] Rows, long[] Cols, double[] Values) Ppmi(IReadOnlyList<int[]> sequences, int numItems, int window)
    {
        if (window < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "the co-occurrence window must be at least 1");
        }

        var counts = new Dictionary<long, double>();
        var n = (long)numItems + 1;
        foreach (var sequence in sequences)
        {
            for (var p = 0; p < sequence.Length; p++)
            {
                for (var q = p + 1; q < Math.Min(sequence.Length, p + window + 1); q++)
                {
                    var (a, b) = (sequence[p], sequence[q]);
                    if (a == b)
                    {
                        continue;
                    }

                    counts[(a * n) + b] = counts.GetValueOrDefault((a * n) + b) + 1;
                    counts[(b * n) + a] = counts.GetValueOrDefault((b * n) + a) + 1;
                }
            }
        }

        var marginal = new double[n];
        foreach (var (key, c) in counts)
        {
            marginal[key / n] += c;
        }

        var total = marginal.Sum();
        var entries = counts
            .Select(e => (Row: e.Key / n, Col: e.Key % n, Value: Math.Log(e.Value * total / (marginal[e.Key / n] * marginal[e.Key % n]))))
            .Where(e => e.Value > 0)
            .OrderBy(e => e.Row).ThenBy(e => e.Col)
            .ToArray();
        return ([.. entries.Select(e => e.Row)], [.. entries.Select(e => e.Col)], [.. entries.Select(e => e.Value)]);
    }

    /// <summary>
    /// Top-k singular vectors and values of a symmetric matrix (sparse or dense) [N, N] by a randomised
    /// range finder with power iterations: <c>Q = orth((A A)^q A G)</c>, then the exact SVD of the
    /// small <c>Q^T A</c>. Signs fixed so that each vector's largest-magnitude entry is positive.
    /// </summary>
    public static (Tensor U, Tensor S) TruncatedSvd(Tensor symmetric, int k, int seed, int oversampling = 10, int powerIterations = 4)
    {
        var n = symmetric.shape[0];
        if (k < 1 || k > n)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, $"rank must be in 1..{n}");
        }

        var width = Math.Min(n, k + oversampling);
        using var generator = new Generator((ulong)seed);
        var gaussian = randn([n, width], dtype: float64, generator: generator);         // [N, l]
        var q = linalg.qr(symmetric.mm(gaussian)).Q;                                     // [N, l]
        for (var i = 0; i < powerIterations; i++)
        {
            q = linalg.qr(symmetric.mm(q)).Q;                                            // A symmetric: A^T Q = A Q
        }

        var small = symmetric.mm(q).t();                                                 // [l, N] = Q^T A
        var (ub, s, _) = linalg.svd(small, fullMatrices: false);                         // ub [l, l], s [l]
        var u = q.mm(ub).narrow(1, 0, k);                                                // [N, k]
        var largest = u.abs().argmax(0, keepdim: true);                                  // [1, k]
        u = u * u.gather(0, largest).sign();
        return (u, s.narrow(0, 0, k));
    }
}
