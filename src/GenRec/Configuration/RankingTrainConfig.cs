using GenRec.Training.Ranking;

namespace GenRec.Configuration;

/// <summary>Optimisation of the ranking model: AdamW (0.9, 0.98) as the retrieval runs, BCE per task.</summary>
internal sealed record RankingTrainConfig() : TrainingSettings(batchSize: 64, epochs: 30, patience: 5)
{
    /// <summary>Sampled items scored beside the real next item in validation and test (engage AUC).</summary>
    public int EvalNegatives { get; init; } = 20;

    /// <summary>
    /// A retrieval checkpoint (same dataset) whose top <see cref="HardNegativePool"/> items per user become negatives
    /// beside the uniform ones (<see cref="Training.Ranking.HardNegativePools"/>): what a ranker behind that retrieval
    /// sees. Null: uniform negatives only (the published setup).
    /// </summary>
    public string? HardNegativesFrom { get; init; }

    /// <summary>Retrieval's top items per user that hard negatives are drawn from.</summary>
    public int HardNegativePool { get; init; } = 200;

    /// <summary>Share of the steps whose negative is drawn from the user's pool (the rest uniform).</summary>
    public double HardNegativeShare { get; init; } = 0.5;
}
