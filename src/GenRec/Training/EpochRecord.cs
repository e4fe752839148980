namespace GenRec.Training;

/// <summary>One line of a run's <c>metrics.jsonl</c>; <c>Samples</c> counts the training samples seen up to the end of the epoch (the learning curve's x axis).</summary>
public sealed record EpochRecord(int Epoch, long Step, double TrainLoss, double SamplesPerSecond, double ElapsedSeconds, SortedDictionary<string, double>? Validation, long Samples = 0, SortedDictionary<string, double>? Test = null);
