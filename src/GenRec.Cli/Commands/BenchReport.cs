using System.Text.Json;
using GenRec.Util;

namespace GenRec.Cli.Commands;

/// <summary>A benchmark result file in <c>bench/results</c>: metrics with lower-case keys, wall time, config, git revision.</summary>
internal sealed record BenchReport(
    string Model,
    string Dataset,
    string Protocol,
    IReadOnlyDictionary<string, double> Metrics,
    double WallSeconds,
    object Config,
    string GitRevision,
    string Machine,
    DateTimeOffset Date,
    object? Training = null)
{
    public static string MachineDescription() => $"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}";

    public string Write(string folder)
    {
        var path = Path.Combine(folder, $"{Model}-{Dataset}.json");
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, GenRec.Training.RunConfig.Json) + "\n");
        return path;
    }

    public string Summary() =>
        $"{Model} on {Dataset}: hr@10={Metrics["hr@10"]:F4} ndcg@10={Metrics["ndcg@10"]:F4} ({Protocol}, {WallSeconds:F1} s)";
}
