using GenRec.Data;
using GenRec.Data.Preparation;
using GenRec.Data.Splits;
using GenRec.Training;

namespace GenRec.Configuration;

/// <summary>Which data a run uses and how it is split.</summary>
public sealed record DataConfig
{
    /// <summary>Dataset file or folder (relative to the working folder).</summary>
    public string Path { get; init; } = "data/ml-latest-small";

    /// <summary>Input format; <c>Auto</c> detects it from the files.</summary>
    public DataFormat Format { get; init; } = DataFormat.Auto;

    /// <summary>Optional item metadata file (titles, categories).</summary>
    public string? Metadata { get; init; }

    /// <summary>Keep only users and items with at least this many events (0: no filter).</summary>
    [System.Text.Json.Serialization.JsonPropertyName("kcore")]
    public int KCore { get; init; }

    /// <summary>Iterative or one-pass k-core.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("kcore_mode")]
    public KCoreMode KCoreMode { get; init; } = KCoreMode.Iterative;

    /// <summary>Leave-one-out (validation = second-to-last item, test = last) or last-item.</summary>
    public SplitKind Split { get; init; } = SplitKind.LeaveOneOut;

    /// <summary>
    /// TIGER's cold-start protocol: this share of the test-target items (drawn with the run's seed) is removed from
    /// training, validation and every history, kept only as test targets (<see cref="Data.Splits.ColdItems"/>); 0: off.
    /// </summary>
    public double ColdItemShare { get; init; }

    /// <summary>
    /// Only the interactions before this time (ISO 8601, e.g. "2017-01-01T00:00:00Z"): the log as it stood then, for a
    /// model that later meets the items and interactions that came after (the open catalogue). Null: the whole log.
    /// </summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>User feature table: <c>users.dat</c> or a CSV (user id, then categorical feature columns); null finds <c>users.dat</c> beside the data.</summary>
    public string? UserFeatures { get; init; }

    internal DatasetRequest ToRequest(string? cacheDir) => new(Path)
    {
        Format = Format,
        Metadata = Metadata,
        UserFeatures = UserFeatures,
        Options = new PrepareOptions { KCore = KCore, KCoreMode = KCoreMode, Until = Until?.ToUnixTimeSeconds() },
        CacheDir = cacheDir,
    };
}
