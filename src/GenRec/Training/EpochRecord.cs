namespace GenRec.Training;

/// <summary>One line of a run's <c>metrics.jsonl</c>.</summary>
public sealed record EpochRecord(int Epoch, long Step, double TrainLoss, double SamplesPerSecond, double ElapsedSeconds, SortedDictionary<string, double>? Validation);
