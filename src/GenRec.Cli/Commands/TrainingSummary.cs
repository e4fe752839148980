using System.Diagnostics;

namespace GenRec.Cli.Commands;

/// <summary>
/// The <c>training</c> section of a bench JSON: how far the run got and how fast. Throughput is in
/// training samples per second (sequences for retrieval and ranking, target items for TIGER);
/// peak memory is the process's peak working set. <c>Extra</c> holds what one benchmark adds.
/// </summary>
internal sealed record TrainingSummary(
    int EpochsRun,
    int EpochsConfigured,
    bool Completed,
    int BestEpoch,
    string? StopReason,
    long Steps,
    double TrainSeconds,
    double SamplesPerSecond,
    double PeakMemoryMb,
    IReadOnlyDictionary<string, double>? BestValidation,
    object? Extra = null)
{
    /// <summary>The ranks of a data-parallel run and rank 0's time in their collectives (null: one process).</summary>
    public GenRec.Training.DataParallelTiming? DataParallel { get; init; }

    public static double PeakMemoryMegabytes() => Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);

    public static TrainingSummary Of(int epochsRun, int epochsConfigured, int bestEpoch, string? stopReason, long steps, double trainSeconds, double samplesPerSecond, IReadOnlyDictionary<string, double>? bestValidation, object? extra = null) =>
        new(epochsRun, epochsConfigured, epochsRun >= epochsConfigured, bestEpoch, stopReason, steps, trainSeconds, samplesPerSecond, PeakMemoryMegabytes(), bestValidation, extra);
}
