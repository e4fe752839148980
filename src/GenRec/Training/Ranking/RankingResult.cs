namespace GenRec.Training.Ranking;

/// <summary>What a ranking run produced: test metrics of the best validation epoch, and how the run went.</summary>
internal sealed record RankingResult(
    SortedDictionary<string, double> Test,
    SortedDictionary<string, double>? BestValidation,
    int EpochsRun,
    int BestEpoch,
    long Steps,
    double TrainSeconds,
    double SamplesPerSecond,
    string StopReason,
    string Checkpoint);
