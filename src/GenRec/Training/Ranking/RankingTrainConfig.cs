namespace GenRec.Training.Ranking;

/// <summary>Optimisation of the ranking model: AdamW (0.9, 0.98) as the retrieval runs, BCE per task.</summary>
internal sealed record RankingTrainConfig
{
    public int BatchSize { get; init; } = 64;

    public double LearningRate { get; init; } = 1e-3;

    public double WeightDecay { get; init; }

    public int Epochs { get; init; } = 30;

    /// <summary>Stop after this many validations without a better validation engage AUC; 0 never stops early.</summary>
    public int Patience { get; init; } = 5;

    /// <summary>Sampled items scored beside the real next item in validation and test (engage AUC).</summary>
    public int EvalNegatives { get; init; } = 20;

    /// <summary>Stop training after this many minutes (0: no limit); the run records how far it got.</summary>
    public double MaxMinutes { get; init; }
}
