namespace GenRec.Data.Download;

/// <summary>
/// A public dataset GenRec can fetch: where it is, how it is checked, and which file inside it is
/// checked again after unpacking (by git blob id, where one is known).
/// </summary>
internal sealed record DownloadSource(string Name, string Url, bool IsZip, string? Md5Url = null, string? Sha256 = null, string? CheckedFile = null, string? CheckedFileGitBlob = null)
{
    private const string GroupLens = "https://files.grouplens.org/datasets/movielens/";
    private const string McAuley2014 = "https://snap.stanford.edu/data/amazon/productGraph/categoryFiles/";

    public static IReadOnlyList<DownloadSource> Catalog { get; } =
    [
        new("ml-1m", GroupLens + "ml-1m.zip", true, Md5Url: GroupLens + "ml-1m.zip.md5", CheckedFile: "ml-1m/ratings.dat", CheckedFileGitBlob: "77a7c4b150f588c23bb9e1f068aa996c0b413695"),
        new("ml-20m", GroupLens + "ml-20m.zip", true, Md5Url: GroupLens + "ml-20m.zip.md5"),
        new("ml-latest-small", GroupLens + "ml-latest-small.zip", true, Md5Url: GroupLens + "ml-latest-small.zip.md5"),
        new("amazon-beauty", McAuley2014 + "ratings_Beauty.csv", false),
        new("amazon-sports", McAuley2014 + "ratings_Sports_and_Outdoors.csv", false),
        new("amazon-toys", McAuley2014 + "ratings_Toys_and_Games.csv", false),
        new("amazon-books", McAuley2014 + "ratings_Books.csv", false),
    ];

    public static DownloadSource Find(string name) =>
        Catalog.FirstOrDefault(s => s.Name == name)
        ?? throw new ArgumentException($"unknown dataset '{name}'; available: {string.Join(", ", Catalog.Select(s => s.Name))}");
}
