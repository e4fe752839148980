using System.Text;

namespace GenRec.Data.Loaders;

/// <summary>MovieLens 1M/10M <c>ratings.dat</c>: <c>UserID::MovieID::Rating::Timestamp</c>.</summary>
internal static class MovieLensDatLoader
{
    private static readonly string[] Fields = ["user_id", "movie_id", "rating", "timestamp"];

    public static InteractionLog LoadRatings(string path)
    {
        var name = Path.GetFileName(path);
        var log = new InteractionLog(path, hasRatings: true, hasTimestamps: true);
        foreach (var (line, text) in TextLines.Read(path, Encoding.Latin1))
        {
            if (text.Length == 0)
            {
                continue;
            }

            var parts = text.Split("::");
            if (parts.Length != 4)
            {
                throw new DataFormatException(name, line, parts.Length < 4 ? Fields[parts.Length] : "record", $"expected 4 '::'-separated fields (user::movie::rating::timestamp), found {parts.Length}");
            }

            FieldParser.AddRatingRow(log, name, line, parts, Fields);
        }

        return log;
    }

    /// <summary>MovieLens <c>movies.dat</c>: <c>MovieID::Title::Genres</c> (genres '|'-separated, ISO-8859-1).</summary>
    public static Dictionary<string, ItemMetadata> LoadMovies(string path)
    {
        var name = Path.GetFileName(path);
        var movies = new Dictionary<string, ItemMetadata>(StringComparer.Ordinal);
        foreach (var (line, text) in TextLines.Read(path, Encoding.Latin1))
        {
            if (text.Length == 0)
            {
                continue;
            }

            var parts = text.Split("::");
            if (parts.Length != 3)
            {
                throw new DataFormatException(name, line, "record", $"expected 3 '::'-separated fields (movie::title::genres), found {parts.Length}");
            }

            var id = FieldParser.ParseId(name, line, "movie_id", parts[0]);
            if (!movies.TryAdd(id, new ItemMetadata(parts[1].Trim(), SplitGenres(parts[2]))))
            {
                throw new DataFormatException(name, line, "movie_id", $"movie {id} appears twice");
            }
        }

        return movies;
    }

    internal static string[] SplitGenres(string genres) =>
        genres.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
              .Where(g => g != "(no genres listed)")
              .ToArray();
}
