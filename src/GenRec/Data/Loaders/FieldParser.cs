using System.Globalization;

namespace GenRec.Data.Loaders;

/// <summary>Parses one field of one line, or throws a <see cref="DataFormatException"/> that names both.</summary>
internal static class FieldParser
{
    public static long ParseLong(string file, long line, string field, string text)
    {
        if (!long.TryParse(text.AsSpan().Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw new DataFormatException(file, line, field, $"'{Shorten(text)}' is not an integer");
        }

        return value;
    }

    public static float ParseRating(string file, long line, string field, string text)
    {
        if (!float.TryParse(text.AsSpan().Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !float.IsFinite(value))
        {
            throw new DataFormatException(file, line, field, $"'{Shorten(text)}' is not a number");
        }

        return value;
    }

    /// <summary>An id: any non-empty token without whitespace.</summary>
    public static string ParseId(string file, long line, string field, string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            throw new DataFormatException(file, line, field, "is empty");
        }

        if (trimmed.Any(char.IsWhiteSpace))
        {
            throw new DataFormatException(file, line, field, $"'{Shorten(trimmed)}' contains whitespace");
        }

        return trimmed;
    }

    /// <summary>Adds one <c>user, item, rating, timestamp</c> row, parsing each field under the given names.</summary>
    public static void AddRatingRow(InteractionLog log, string file, long line, IReadOnlyList<string> fields, IReadOnlyList<string> names) =>
        log.Add(
            ParseId(file, line, names[0], fields[0]),
            ParseId(file, line, names[1], fields[1]),
            ParseRating(file, line, names[2], fields[2]),
            ParseLong(file, line, names[3], fields[3]));

    public static string Shorten(string text) => text.Length <= 40 ? text : text[..37] + "...";
}
