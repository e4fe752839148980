namespace GenRec.Data.Loaders;

/// <summary>
/// The S3-Rec / SASRec text format: one user per line, <c>user item item ...</c>, items oldest
/// first, whitespace-separated integer ids. There are no ratings or timestamps: the file order is
/// the chronological order.
/// </summary>
internal static class SequenceTextLoader
{
    public static InteractionLog Load(string path)
    {
        var name = Path.GetFileName(path);
        var log = new InteractionLog(path, hasRatings: false, hasTimestamps: false);
        var seenUsers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (line, text) in TextLines.Read(path))
        {
            var tokens = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length == 0)
            {
                continue;
            }

            var user = CheckInteger(name, line, "user", tokens[0]);
            if (tokens.Length < 2)
            {
                throw new DataFormatException(name, line, "items", $"user {user} has no items (expected 'user item item ...')");
            }

            if (!seenUsers.Add(user))
            {
                throw new DataFormatException(name, line, "user", $"user {user} already had a line; each user must appear once");
            }

            for (var i = 1; i < tokens.Length; i++)
            {
                log.Add(user, CheckInteger(name, line, $"item {i}", tokens[i]));
            }
        }

        return log;
    }

    private static string CheckInteger(string file, long line, string field, string token)
    {
        if (!long.TryParse(token, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            throw new DataFormatException(file, line, field, $"'{FieldParser.Shorten(token)}' is not a non-negative integer id");
        }

        return token;
    }
}
