using GenRec.Training.Ranking;

namespace GenRec.Configuration;

/// <summary>Optimisation of the ranking model: AdamW (0.9, 0.98) as the retrieval runs, BCE per task.</summary>
internal sealed record RankingTrainConfig() : TrainingSettings(batchSize: 64, epochs: 30, patience: 5)
{
    /// <summary>Sampled items scored beside the real next item in validation and test (engage AUC).</summary>
    public int EvalNegatives { get; init; } = 20;
}
