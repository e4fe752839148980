using static TorchSharp.torch;

namespace GenRec.Models.Modules;

/// <summary>The user feature value ids of a batch as the models read them.</summary>
internal static class UserFeatureIds
{
    /// <summary>
    /// Ids [B, F] (int64) from one row per user (null: the user's features are unknown, all 0); a row
    /// shorter than <paramref name="count"/> leaves the rest 0. Null when the model reads no user features (<paramref name="count"/> 0).
    /// </summary>
    public static Tensor? Batch(IReadOnlyList<int[]?> rows, int count)
    {
        if (count == 0)
        {
            return null;
        }

        var values = new long[rows.Count * count];
        for (var b = 0; b < rows.Count; b++)
        {
            var row = rows[b];
            for (var f = 0; row is not null && f < Math.Min(count, row.Length); f++)
            {
                values[(b * count) + f] = row[f];
            }
        }

        return tensor(values).view(rows.Count, count);
    }
}
