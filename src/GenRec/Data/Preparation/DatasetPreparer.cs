namespace GenRec.Data.Preparation;

/// <summary>
/// Turns raw interactions into per-user chronological sequences over dense ids: optional k-core
/// filtering, a stable sort by timestamp (file order breaks ties, and is the order when there are
/// no timestamps), and id remapping (users 0-based, items 1-based with 0 as padding; ids are
/// numbered in numeric order when all keys are integers, else in ordinal string order).
/// </summary>
internal static class DatasetPreparer
{
    public static SequenceDataset Prepare(string name, InteractionLog log, PrepareOptions options, IReadOnlyDictionary<string, ItemMetadata>? metadata, string format)
    {
        if (options.Until is { } until)
        {
            log = log.Before(until);
        }

        // Raw dense indices in order of first appearance.
        var userIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var itemIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var users = new int[log.Count];
        var items = new int[log.Count];
        for (var r = 0; r < log.Count; r++)
        {
            users[r] = IndexOf(userIndex, log.Users[r]);
            items[r] = IndexOf(itemIndex, log.Items[r]);
        }

        var keep = KCoreFilter.Apply(users, items, userIndex.Count, itemIndex.Count, options.KCore, options.KCoreMode, out var passes);

        // Rows per raw user, in file order, surviving rows only.
        var rowsByUser = new List<int>[userIndex.Count];
        for (var r = 0; r < log.Count; r++)
        {
            if (keep[r])
            {
                (rowsByUser[users[r]] ??= []).Add(r);
            }
        }

        var rawUserKeys = userIndex.Keys.ToArray();
        var rawItemKeys = itemIndex.Keys.ToArray();
        var keptUsers = Enumerable.Range(0, rawUserKeys.Length).Where(u => rowsByUser[u] is not null).ToArray();
        var keptItems = new bool[rawItemKeys.Length];
        long keptRows = 0;
        foreach (var u in keptUsers)
        {
            foreach (var r in rowsByUser[u])
            {
                keptItems[items[r]] = true;
                keptRows++;
            }
        }

        var userOrder = OrderKeys(keptUsers.Select(u => rawUserKeys[u]).ToArray());
        var itemOrder = OrderKeys(Enumerable.Range(0, rawItemKeys.Length).Where(i => keptItems[i]).Select(i => rawItemKeys[i]).ToArray());
        var denseItem = new Dictionary<string, int>(itemOrder.Length, StringComparer.Ordinal);
        var itemKeys = new string[itemOrder.Length + 1];
        itemKeys[0] = SequenceDataset.PaddingKey;
        for (var i = 0; i < itemOrder.Length; i++)
        {
            itemKeys[i + 1] = itemOrder[i];
            denseItem[itemOrder[i]] = i + 1;
        }

        var sequences = new int[userOrder.Length][];
        var ratings = log.HasRatings ? new float[userOrder.Length][] : null;
        var timestamps = log.HasTimestamps ? new long[userOrder.Length][] : null;
        for (var u = 0; u < userOrder.Length; u++)
        {
            var rows = rowsByUser[userIndex[userOrder[u]]].ToArray();
            if (log.HasTimestamps)
            {
                // Stable: equal timestamps keep file order (rows are ascending already).
                var keys = rows.Select(r => log.Timestamps[r]).ToArray();
                var order = Enumerable.Range(0, rows.Length).OrderBy(i => keys[i]).ToArray();
                rows = order.Select(i => rows[i]).ToArray();
            }

            sequences[u] = rows.Select(r => denseItem[log.Items[r]]).ToArray();
            if (ratings is not null)
            {
                ratings[u] = rows.Select(r => log.Ratings[r]).ToArray();
            }

            if (timestamps is not null)
            {
                timestamps[u] = rows.Select(r => log.Timestamps[r]).ToArray();
            }
        }

        var itemMeta = new ItemMetadata?[itemKeys.Length];
        var withMeta = 0;
        if (metadata is not null)
        {
            for (var i = 1; i < itemKeys.Length; i++)
            {
                if (metadata.TryGetValue(itemKeys[i], out var m))
                {
                    itemMeta[i] = m;
                    withMeta++;
                }
            }
        }

        var report = new PreparationReport(
            Source: log.Source,
            Format: format,
            RowsRead: log.Count,
            UsersRead: rawUserKeys.Length,
            ItemsRead: rawItemKeys.Length,
            KCore: options.KCore,
            KCoreMode: options.KCoreMode.ToString(),
            KCorePasses: passes,
            RowsRemovedByKCore: log.Count - keptRows,
            UsersRemovedByKCore: rawUserKeys.Length - userOrder.Length,
            ItemsRemovedByKCore: rawItemKeys.Length - itemOrder.Length,
            ItemsWithMetadata: withMeta,
            MetadataEntriesWithoutInteractions: metadata is null ? 0 : metadata.Count - withMeta);
        return new SequenceDataset(name, userOrder, itemKeys, sequences, ratings, timestamps, itemMeta, report);
    }

    private static int IndexOf(Dictionary<string, int> index, string key)
    {
        if (!index.TryGetValue(key, out var i))
        {
            i = index.Count;
            index[key] = i;
        }

        return i;
    }

    /// <summary>Numeric order when every key is an integer, else ordinal order.</summary>
    internal static string[] OrderKeys(string[] keys)
    {
        var numbers = new long[keys.Length];
        var allNumeric = true;
        for (var i = 0; i < keys.Length && allNumeric; i++)
        {
            allNumeric = long.TryParse(keys[i], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out numbers[i]);
        }

        return allNumeric
            ? keys.Zip(numbers).OrderBy(p => p.Second).Select(p => p.First).ToArray()
            : keys.Order(StringComparer.Ordinal).ToArray();
    }
}
