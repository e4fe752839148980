using GenRec.Data.Preparation;

namespace GenRec.Data;

/// <summary>What to load: a dataset file or folder (or a prepared <c>.grd</c>), its format, metadata and preparation options.</summary>
internal sealed record DatasetRequest(string Path)
{
    public DataFormat Format { get; init; } = DataFormat.Auto;

    public string? Metadata { get; init; }

    /// <summary>User feature table (users.dat or a CSV: user id, then feature columns); null finds <c>users.dat</c> beside the data.</summary>
    public string? UserFeatures { get; init; }

    public PrepareOptions Options { get; init; } = new();

    /// <summary>Folder for prepared-data caches; null turns caching off.</summary>
    public string? CacheDir { get; init; } = DefaultCacheDir;

    public static string DefaultCacheDir =>
        Environment.GetEnvironmentVariable("GENREC_CACHE") is { Length: > 0 } dir ? dir : System.IO.Path.Combine(".genrec", "cache");
}
