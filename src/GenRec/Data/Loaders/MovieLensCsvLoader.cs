namespace GenRec.Data.Loaders;

/// <summary>MovieLens csv releases (latest-small, 20M, 25M): <c>ratings.csv</c> and <c>movies.csv</c> with headers.</summary>
internal static class MovieLensCsvLoader
{
    private static readonly string[] RatingsHeader = ["userId", "movieId", "rating", "timestamp"];
    private static readonly string[] MoviesHeader = ["movieId", "title", "genres"];

    public static InteractionLog LoadRatings(string path)
    {
        var name = Path.GetFileName(path);
        var log = new InteractionLog(path, hasRatings: true, hasTimestamps: true);
        foreach (var (line, f) in CsvRows.Read(path, RatingsHeader, 4))
        {
            FieldParser.AddRatingRow(log, name, line, f, RatingsHeader);
        }

        return log;
    }

    public static Dictionary<string, ItemMetadata> LoadMovies(string path)
    {
        var name = Path.GetFileName(path);
        var movies = new Dictionary<string, ItemMetadata>(StringComparer.Ordinal);
        foreach (var (line, f) in CsvRows.Read(path, MoviesHeader, 3))
        {
            var id = FieldParser.ParseId(name, line, "movieId", f[0]);
            if (string.IsNullOrWhiteSpace(f[1]))
            {
                throw new DataFormatException(name, line, "title", "is empty");
            }

            if (!movies.TryAdd(id, new ItemMetadata(f[1].Trim(), MovieLensDatLoader.SplitGenres(f[2]))))
            {
                throw new DataFormatException(name, line, "movieId", $"movie {id} appears twice");
            }
        }

        return movies;
    }
}
