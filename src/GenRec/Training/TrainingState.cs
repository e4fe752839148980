namespace GenRec.Training;

/// <summary>Where a run stands: what a checkpoint restores besides the weights.</summary>
internal sealed record TrainingState
{
    public int Epoch { get; init; }

    public long Step { get; init; }

    /// <summary>Best validation metric so far (NDCG@10 for retrieval and TIGER, engage AUC for ranking).</summary>
    /// <remarks>Stored under its first name, so that checkpoints written before the rename resume.</remarks>
    [System.Text.Json.Serialization.JsonPropertyName("best_validation_ndcg10")]
    public double BestValidationMetric { get; init; } = double.NegativeInfinity;

    public int BestEpoch { get; init; }

    public int ValidationsWithoutImprovement { get; init; }

    public double ElapsedSeconds { get; init; }

    /// <summary>Training samples (sequences, or TIGER's target items) seen in all epochs so far, across resumes.</summary>
    public long Samples { get; init; }

    /// <summary>Seconds spent in training steps so far, across resumes (validation and checkpoints excluded).</summary>
    public double TrainSeconds { get; init; }

    /// <summary>The state after a validated epoch: the best metric, its epoch and the patience count updated. Higher is better.</summary>
    public (TrainingState State, bool Improved) AfterValidation(int epoch, double metric, double elapsedSeconds)
    {
        var improved = metric > BestValidationMetric;
        return (this with
        {
            Epoch = epoch,
            BestValidationMetric = improved ? metric : BestValidationMetric,
            BestEpoch = improved ? epoch : BestEpoch,
            ValidationsWithoutImprovement = improved ? 0 : ValidationsWithoutImprovement + 1,
            ElapsedSeconds = elapsedSeconds,
        }, improved);
    }
}
