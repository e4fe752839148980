namespace GenRec.Training.Tiger;

/// <summary>What a TIGER run produced: test metrics of the best validation epoch and how the run went.</summary>
/// <remarks>Steps, examples seen and training seconds count every invocation of the run (resumes included), not only the last.</remarks>
internal sealed record TigerResult(SortedDictionary<string, double> Test, SortedDictionary<string, double>? BestValidation, int EpochsRun, int BestEpoch, long Steps, long ExamplesSeen, double TrainSeconds, string StopReason)
{
    public double ExamplesPerSecond => ExamplesSeen / Math.Max(TrainSeconds, 1e-9);

    /// <summary>Training FLOPs per target item (forward and backward, 3 x the analytic forward count, padding aside).</summary>
    public double FlopsPerTarget { get; init; }

    /// <summary>Stopped by cancellation: nothing was tested.</summary>
    public bool Interrupted { get; init; }

    /// <summary>The cold-item test, for a run with <c>data.cold_item_share</c> and item text vectors.</summary>
    public TigerColdItemTest.Report? ColdItems { get; init; }

    /// <summary>The ranks and rank 0's time in their collectives, for a data-parallel run (null: one process).</summary>
    public DataParallelTiming? DataParallel { get; init; }

    /// <summary>Whether this process reports: one process, or rank 0 of a data-parallel run (the others train and stop).</summary>
    public bool Reports { get; init; } = true;
}
