namespace GenRec.Configuration;

/// <summary>
/// What every kind of training shares (the <c>train</c> section of any run config): AdamW's batch, learning rate and
/// weight decay, and the budget (epochs, early-stopping patience, minutes). Each kind's record adds its own settings
/// and sets its published defaults.
/// </summary>
public abstract record TrainingSettings : ITrainingBudget
{
    /// <summary>The kind's published defaults.</summary>
    protected TrainingSettings(int batchSize, int epochs, int patience, double weightDecay = 0)
    {
        BatchSize = batchSize;
        Epochs = epochs;
        Patience = patience;
        WeightDecay = weightDecay;
    }

    /// <summary>Examples (users, or TIGER's targets) per training step.</summary>
    public int BatchSize { get; init; }

    /// <summary>AdamW learning rate (the peak, after any warm-up).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>AdamW weight decay.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Epochs at most (passes over the training data, or TIGER's blocks of steps).</summary>
    public int Epochs { get; init; }

    /// <summary>Stop after this many validations without a better validation metric; 0 never stops early.</summary>
    public int Patience { get; init; }

    /// <summary>Stop training after this many minutes (the best model so far is kept; the run records how far it got); 0 for no limit.</summary>
    public double MaxMinutes { get; init; }
}
