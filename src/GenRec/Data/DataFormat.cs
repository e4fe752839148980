namespace GenRec.Data;

/// <summary>The interaction file formats GenRec reads.</summary>
public enum DataFormat
{
    /// <summary>Decide from the file or folder name and content.</summary>
    Auto,

    /// <summary>MovieLens 1M/10M <c>ratings.dat</c> (<c>user::item::rating::timestamp</c>).</summary>
    MovieLensDat,

    /// <summary>MovieLens csv releases: <c>ratings.csv</c> with a <c>userId,movieId,rating,timestamp</c> header.</summary>
    MovieLensCsv,

    /// <summary>S3-Rec / SASRec text: <c>user item item ...</c> per line, oldest first.</summary>
    SequenceText,

    /// <summary>generative-recommenders' <c>sasrec_format.csv</c>.</summary>
    SasRecCsv,

    /// <summary>Amazon 2014 <c>ratings_*.csv</c>: <c>user,item,rating,timestamp</c>, no header.</summary>
    AmazonRatings,
}
