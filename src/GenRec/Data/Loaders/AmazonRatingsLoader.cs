namespace GenRec.Data.Loaders;

/// <summary>Amazon 2014 (McAuley) <c>ratings_*.csv</c>: <c>user,item,rating,timestamp</c> without a header.</summary>
internal static class AmazonRatingsLoader
{
    public static InteractionLog Load(string path)
    {
        var name = Path.GetFileName(path);
        var log = new InteractionLog(path, hasRatings: true, hasTimestamps: true);
        foreach (var (line, f) in CsvRows.Read(path, expectedHeader: null, expectedFields: 4))
        {
            log.Add(
                FieldParser.ParseId(name, line, "user", f[0]),
                FieldParser.ParseId(name, line, "item", f[1]),
                FieldParser.ParseRating(name, line, "rating", f[2]),
                FieldParser.ParseLong(name, line, "timestamp", f[3]));
        }

        return log;
    }
}
