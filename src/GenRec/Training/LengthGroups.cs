namespace GenRec.Training;

/// <summary>
/// Splits a training batch into groups of rows of similar length, so that each group is padded only
/// to its own longest row (what the research code's jagged tensors achieve). Rows are right-padded
/// and the encoders never let a real position read padding (causal or key-padding masks), so every
/// supervised state, and with it the batch's loss and gradient, is the same as in one padded batch;
/// only the work spent on padding goes (attention grows with the square of the padded length).
/// </summary>
internal static class LengthGroups
{
    /// <summary>
    /// <paramref name="rows"/> sorted by <paramref name="lengthOf"/> and cut into at most
    /// <paramref name="groups"/> groups of (nearly) equal size; one group keeps the rows' order.
    /// </summary>
    public static int[][] Split(int[] rows, Func<int, int> lengthOf, int groups)
    {
        if (groups < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(groups), groups, "length groups must be at least 1");
        }

        if (groups == 1 || rows.Length <= 1)
        {
            return [rows];
        }

        var sorted = rows.OrderBy(lengthOf).ToArray(); // stable: equal lengths keep the batch order
        var count = Math.Min(groups, sorted.Length);
        var result = new int[count][];
        for (var g = 0; g < count; g++)
        {
            var start = (int)((long)g * sorted.Length / count);
            var end = (int)((long)(g + 1) * sorted.Length / count);
            result[g] = sorted[start..end];
        }

        return result;
    }
}
