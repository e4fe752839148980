using GenRec.Data;
using GenRec.Data.Preparation;
using GenRec.Data.Splits;

namespace GenRec.Training;

/// <summary>Which data a run uses and how it is split.</summary>
public sealed record DataConfig
{
    public string Path { get; init; } = "data/ml-latest-small";

    public DataFormat Format { get; init; } = DataFormat.Auto;

    public string? Metadata { get; init; }

    [System.Text.Json.Serialization.JsonPropertyName("kcore")]
    public int KCore { get; init; }

    [System.Text.Json.Serialization.JsonPropertyName("kcore_mode")]
    public KCoreMode KCoreMode { get; init; } = KCoreMode.Iterative;

    public SplitKind Split { get; init; } = SplitKind.LeaveOneOut;

    public DatasetRequest ToRequest(string? cacheDir) => new(Path)
    {
        Format = Format,
        Metadata = Metadata,
        Options = new PrepareOptions { KCore = KCore, KCoreMode = KCoreMode },
        CacheDir = cacheDir,
    };
}
