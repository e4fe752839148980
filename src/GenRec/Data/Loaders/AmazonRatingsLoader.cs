namespace GenRec.Data.Loaders;

/// <summary>Amazon 2014 (McAuley) <c>ratings_*.csv</c>: <c>user,item,rating,timestamp</c> without a header.</summary>
internal static class AmazonRatingsLoader
{
    private static readonly string[] Fields = ["user", "item", "rating", "timestamp"];

    public static InteractionLog Load(string path)
    {
        var name = Path.GetFileName(path);
        var log = new InteractionLog(path, hasRatings: true, hasTimestamps: true);
        foreach (var (line, f) in CsvRows.Read(path, expectedHeader: null, expectedFields: 4))
        {
            FieldParser.AddRatingRow(log, name, line, f, Fields);
        }

        return log;
    }
}
