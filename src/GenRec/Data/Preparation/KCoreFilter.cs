namespace GenRec.Data.Preparation;

/// <summary>
/// k-core filtering over rows given as dense (user, item) indices. Returns which rows survive;
/// callers report how many were removed, so that no row disappears silently.
/// </summary>
internal static class KCoreFilter
{
    public static bool[] Apply(int[] users, int[] items, int numUsers, int numItems, int k, KCoreMode mode, out int passes)
    {
        var keep = Enumerable.Repeat(true, users.Length).ToArray();
        passes = 0;
        if (k <= 1)
        {
            return keep;
        }

        var userCount = new int[numUsers];
        var itemCount = new int[numItems];
        Count(users, items, keep, userCount, itemCount);
        if (mode == KCoreMode.OnePass)
        {
            passes = 1;
            for (var r = 0; r < users.Length; r++)
            {
                keep[r] = userCount[users[r]] >= k && itemCount[items[r]] >= k;
            }

            // Drop the sequences that became shorter than k.
            Count(users, items, keep, userCount, itemCount);
            for (var r = 0; r < users.Length; r++)
            {
                keep[r] &= userCount[users[r]] >= k;
            }

            return keep;
        }

        bool changed;
        do
        {
            passes++;
            changed = false;
            for (var r = 0; r < users.Length; r++)
            {
                if (keep[r] && (userCount[users[r]] < k || itemCount[items[r]] < k))
                {
                    keep[r] = false;
                    changed = true;
                }
            }

            if (changed)
            {
                Count(users, items, keep, userCount, itemCount);
            }
        }
        while (changed);

        return keep;
    }

    private static void Count(int[] users, int[] items, bool[] keep, int[] userCount, int[] itemCount)
    {
        Array.Clear(userCount);
        Array.Clear(itemCount);
        for (var r = 0; r < users.Length; r++)
        {
            if (keep[r])
            {
                userCount[users[r]]++;
                itemCount[items[r]]++;
            }
        }
    }
}
