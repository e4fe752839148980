namespace GenRec.Data.Loaders;

/// <summary>
/// generative-recommenders' <c>sasrec_format.csv</c>:
/// <c>index,user_id,sequence_item_ids,sequence_ratings,sequence_timestamps</c>, where the last three
/// are quoted comma-separated lists of equal length, oldest first.
/// </summary>
internal static class SasRecFormatCsvLoader
{
    private static readonly string[] Header = ["index", "user_id", "sequence_item_ids", "sequence_ratings", "sequence_timestamps"];

    public static InteractionLog Load(string path)
    {
        var name = Path.GetFileName(path);
        var log = new InteractionLog(path, hasRatings: true, hasTimestamps: true);
        var seenUsers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (line, f) in CsvRows.Read(path, Header, 5))
        {
            var user = FieldParser.ParseId(name, line, "user_id", f[1]);
            if (!seenUsers.Add(user))
            {
                throw new DataFormatException(name, line, "user_id", $"user {user} already had a row; each user must appear once");
            }

            var items = SplitList(name, line, "sequence_item_ids", f[2]);
            var ratings = SplitList(name, line, "sequence_ratings", f[3]);
            var timestamps = SplitList(name, line, "sequence_timestamps", f[4]);
            if (ratings.Length != items.Length || timestamps.Length != items.Length)
            {
                throw new DataFormatException(name, line, "sequence_ratings", $"lists differ in length: {items.Length} items, {ratings.Length} ratings, {timestamps.Length} timestamps");
            }

            for (var i = 0; i < items.Length; i++)
            {
                log.Add(
                    user,
                    FieldParser.ParseId(name, line, $"sequence_item_ids[{i}]", items[i]),
                    FieldParser.ParseRating(name, line, $"sequence_ratings[{i}]", ratings[i]),
                    FieldParser.ParseLong(name, line, $"sequence_timestamps[{i}]", timestamps[i]));
            }
        }

        return log;
    }

    private static string[] SplitList(string file, long line, string field, string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length == 0 || parts.Any(p => p.Length == 0))
        {
            throw new DataFormatException(file, line, field, "is empty or has an empty element");
        }

        return parts;
    }
}
