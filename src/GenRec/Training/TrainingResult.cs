namespace GenRec.Training;

/// <summary>What a training run produced.</summary>
public sealed record TrainingResult(
    SortedDictionary<string, double> Test,
    SortedDictionary<string, double>? BestValidation,
    int BestEpoch,
    int EpochsRun,
    long Steps,
    double TrainSeconds,
    double SamplesPerSecond,
    bool Interrupted,
    string Checkpoint)
{
    /// <summary>Why training ended: epochs done, early stop, time budget, interrupted.</summary>
    public string? StopReason { get; init; }

    /// <summary>The ranks and their time in the collectives, for a run trained by several processes (null: one process).</summary>
    public DataParallelTiming? DataParallel { get; init; }
}
