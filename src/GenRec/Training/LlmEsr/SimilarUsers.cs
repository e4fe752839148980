using static TorchSharp.torch;

namespace GenRec.Training.LlmEsr;

/// <summary>
/// Retrieval of similar users for LLM-ESR's self-distillation: each user's profile is the mean of
/// the semantic (text) embeddings of the items in their training history; the top-k other users by
/// cosine similarity are kept (ties by the lower user index). Exact, in chunks of users.
/// </summary>
internal static class SimilarUsers
{
    /// <summary>Profiles [users, Ds]: the mean text embedding of each history (zero for an empty one).</summary>
    public static Tensor Profiles(Tensor semanticTable, IReadOnlyList<int[]> histories)
    {
        using var _ = no_grad();
        var dim = semanticTable.shape[1];
        var profiles = zeros(histories.Count, dim);
        for (var u = 0; u < histories.Count; u++)
        {
            if (histories[u].Length > 0)
            {
                using var ids = tensor(histories[u].Select(i => (long)i).ToArray());
                profiles[u].copy_(semanticTable.index_select(0, ids).mean([0]));
            }
        }

        return profiles;
    }

    /// <summary>For each user, the <paramref name="k"/> most cosine-similar other users, most similar first.</summary>
    public static int[][] Find(Tensor profiles, int k, int chunk = 1024)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var users = (int)profiles.shape[0];
        k = Math.Min(k, users - 1);
        var result = new int[users][];
        if (k <= 0)
        {
            for (var u = 0; u < users; u++)
            {
                result[u] = [];
            }

            return result;
        }

        var unit = profiles.to(float64) / profiles.to(float64).norm(1, keepdim: true).clamp_min(1e-12); // [U, Ds]
        for (var start = 0; start < users; start += chunk)
        {
            using var inner = NewDisposeScope();
            var count = Math.Min(chunk, users - start);
            var similarity = unit.narrow(0, start, count).matmul(unit.t());                 // [C, U]
            var self = arange(start, start + count, dtype: int64).unsqueeze(1);              // [C, 1]
            similarity.scatter_(1, self, full(count, 1, double.NegativeInfinity, dtype: float64));
            // Stable descending order breaks ties by the lower index: sort by (-similarity, index).
            var (_, order) = similarity.sort(1, descending: true, stable: true);             // [C, U]
            var top = order.narrow(1, 0, k).contiguous().data<long>().ToArray();
            for (var r = 0; r < count; r++)
            {
                result[start + r] = top.Skip(r * k).Take(k).Select(i => (int)i).ToArray();
            }
        }

        return result;
    }
}
