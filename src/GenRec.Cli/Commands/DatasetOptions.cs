using System.CommandLine;
using GenRec.Data;
using GenRec.Data.Preparation;

namespace GenRec.Cli.Commands;

/// <summary>The options every command that reads a dataset shares.</summary>
internal sealed class DatasetOptions
{
    public Argument<string> Path { get; } = new("dataset") { Description = "Dataset file or folder (or a prepared .grd file)" };

    public Option<DataFormat> Format { get; } = new("--format") { Description = "Input format (default: detect)", DefaultValueFactory = _ => DataFormat.Auto };

    public Option<string?> Metadata { get; } = new("--metadata") { Description = "Item metadata file (movies.dat, movies.csv or .jsonl); default: found beside the data" };

    public Option<int> KCore { get; } = new("--kcore") { Description = "Keep only users and items with at least k interactions (0: off)", DefaultValueFactory = _ => 0 };

    public Option<KCoreMode> KCoreMode { get; } = new("--kcore-mode") { Description = "iterative (classic k-core) or one-pass (generative-recommenders)", DefaultValueFactory = _ => Data.Preparation.KCoreMode.Iterative };

    public Option<DateTimeOffset?> Until { get; } = new("--until") { Description = "Only interactions before this time (ISO 8601, e.g. 2017-01-01T00:00:00Z): the log as it stood then" };

    public Option<bool> NoCache { get; } = new("--no-cache") { Description = "Prepare from scratch and do not write the cache" };

    public void AddTo(Command command)
    {
        command.Add(Path);
        command.Add(Format);
        command.Add(Metadata);
        command.Add(KCore);
        command.Add(KCoreMode);
        command.Add(Until);
        command.Add(NoCache);
    }

    public DatasetRequest Request(ParseResult r) => new(r.GetRequiredValue(Path))
    {
        Format = r.GetValue(Format),
        Metadata = r.GetValue(Metadata),
        Options = new PrepareOptions { KCore = r.GetValue(KCore), KCoreMode = r.GetValue(KCoreMode), Until = r.GetValue(Until)?.ToUnixTimeSeconds() },
        CacheDir = r.GetValue(NoCache) ? null : DatasetRequest.DefaultCacheDir,
    };
}
