namespace GenRec.Training;

/// <summary>Where a run stands: what a checkpoint restores besides the weights.</summary>
public sealed record TrainingState
{
    public int Epoch { get; init; }

    public long Step { get; init; }

    public double BestValidationNdcg10 { get; init; } = double.NegativeInfinity;

    public int BestEpoch { get; init; }

    public int ValidationsWithoutImprovement { get; init; }

    public double ElapsedSeconds { get; init; }
}
