using GenRec.Cli.Commands;
using GenRec.Configuration;
using System.Text.Json;
using GenRec.Util;

namespace GenRec.Cli.Bench;

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
    string Device,
    DateTimeOffset Date,
    object? Training = null,
    object? LongTail = null,
    object? ColdStart = null,
    object? ColdItems = null)
{
    /// <summary>
    /// The build that ran: its version and the commit it was built from (<c>0.1.0+&lt;sha&gt;</c>). <see cref="GitRevision"/> is the
    /// working tree's commit when the file was written; the two differ when a copied build runs while the tree moves on.
    /// </summary>
    public string Build { get; init; } = typeof(BenchReport).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
        is [System.Reflection.AssemblyInformationalVersionAttribute version, ..] ? version.InformationalVersion : "unknown";

    /// <summary>A report of this run on this machine, now, at the current git revision.</summary>
    public static BenchReport Create(string model, string dataset, string protocol, IReadOnlyDictionary<string, double> metrics, double wallSeconds, object config, object? training = null, object? longTail = null) =>
        new(model, dataset, protocol, metrics, wallSeconds, config, global::GenRec.Cli.Bench.GitRevision.Current(), MachineDescription(), DeviceOf(config), DateTimeOffset.UtcNow, training, longTail);

    /// <summary>The device the run computed on (its config's compute.device resolved), with the libtorch version.</summary>
    public static string DeviceOf(object config)
    {
        var compute = config switch
        {
            RunConfig r => r.Compute,
            TigerRunConfig t => t.Compute,
            RankingRunConfig k => k.Compute,
            ComputeConfig c => c,
            _ => new ComputeConfig { Device = "cpu" },
        };
        var device = GenRec.Compute.ComputeDevice.Resolve(compute.Device);
        var detail = device.type == TorchSharp.DeviceType.CUDA
            ? $" ({GenRec.Configuration.ClosedChoice.Name(compute.Precision)}{(compute.Tf32 ? ", tf32" : "")})"
            : $" ({GenRec.Compute.CpuFastPath.Summary()})";
        return $"{device}{detail}, libtorch {TorchSharp.torch.__version__}";
    }

    public static string MachineDescription() => $"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}";

    /// <summary>Writes <c>&lt;model&gt;-&lt;dataset&gt;[-&lt;tag&gt;].json</c> into <paramref name="folder"/>.</summary>
    public string Write(string folder, string? tag = null)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{Model}-{Dataset}{(tag is null ? "" : "-" + tag)}.json");
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, RunConfig.Json) + "\n");
        return path;
    }

    public string Summary()
    {
        var keys = Metrics.ContainsKey("hr@10") ? ["hr@10", "ndcg@10"] : Metrics.Keys.Take(6).ToArray();
        return $"{Model} on {Dataset}: {string.Join(" ", keys.Select(k => $"{k}={Metrics[k]:F4}"))} ({Protocol}, {WallSeconds:F1} s)";
    }
}
