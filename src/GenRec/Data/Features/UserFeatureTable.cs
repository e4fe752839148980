namespace GenRec.Data.Features;

/// <summary>
/// Categorical features of the dataset's users (ML-1M's gender, age group, occupation, zip code; or the columns of a
/// user table), aligned with the dense user ids: <c>Values[user][feature]</c> indexes <c>Vocabularies[feature]</c>,
/// whose entry 0 is "unknown" (a user missing from the table, or a value never seen). Vocabularies are in ordinal
/// order, so the same table gives the same ids.
/// </summary>
internal sealed record UserFeatureTable(string[] Names, string[][] Vocabularies, int[][] Values, int UsersWithoutFeatures)
{
    public const string Unknown = "<unknown>";

    /// <summary>Values per feature, unknown included.</summary>
    public int[] Cardinalities => [.. Vocabularies.Select(v => v.Length)];

    /// <summary>The table restricted to <paramref name="names"/>, in that order.</summary>
    public UserFeatureTable Select(IReadOnlyList<string> names)
    {
        var index = names.Select(n => Array.IndexOf(Names, n) is var i && i >= 0
            ? i
            : throw new ArgumentException($"user feature '{n}' is not in the data (available: {string.Join(", ", Names)})")).ToArray();
        return new UserFeatureTable([.. names], [.. index.Select(i => Vocabularies[i])], [.. Values.Select(v => index.Select(i => v[i]).ToArray())], UsersWithoutFeatures);
    }

    /// <summary>Ids of a user's feature values given by name (an unseen user's request); absent or unknown values are 0.</summary>
    public int[] Encode(IReadOnlyDictionary<string, string>? values)
    {
        var ids = new int[Names.Length];
        if (values is null)
        {
            return ids;
        }

        foreach (var name in values.Keys.Where(k => !Names.Contains(k)))
        {
            throw new ArgumentException($"unknown user feature '{Util.QuotedText.Clip(name)}' (this model reads: {string.Join(", ", Names)})");
        }

        for (var f = 0; f < Names.Length; f++)
        {
            if (values.TryGetValue(Names[f], out var value))
            {
                var id = Array.BinarySearch(Vocabularies[f], 1, Vocabularies[f].Length - 1, value, StringComparer.Ordinal);
                ids[f] = id > 0 ? id : 0;
            }
        }

        return ids;
    }

    /// <summary>Aligns raw per-user values (original user id -> one value per feature) with the dataset's users.</summary>
    public static UserFeatureTable Build(string[] names, IReadOnlyDictionary<string, string[]> raw, IReadOnlyList<string> userKeys)
    {
        var vocabularies = new string[names.Length][];
        var lookups = new Dictionary<string, int>[names.Length];
        for (var f = 0; f < names.Length; f++)
        {
            var values = raw.Values.Select(v => v[f]).Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
            vocabularies[f] = [Unknown, .. values];
            lookups[f] = vocabularies[f].Select((v, i) => (v, i)).Skip(1).ToDictionary(p => p.v, p => p.i, StringComparer.Ordinal);
        }

        var missing = 0;
        var table = new int[userKeys.Count][];
        for (var u = 0; u < userKeys.Count; u++)
        {
            table[u] = new int[names.Length];
            if (!raw.TryGetValue(userKeys[u], out var row))
            {
                missing++;
                continue;
            }

            for (var f = 0; f < names.Length; f++)
            {
                table[u][f] = lookups[f].GetValueOrDefault(row[f]);
            }
        }

        return new UserFeatureTable(names, vocabularies, table, missing);
    }
}
