namespace GenRec.Training.Losses;

internal static class LossFactory
{
    public static IRetrievalLoss Create(TrainConfig config) => config.Loss switch
    {
        "sampled_softmax" => new SampledSoftmaxLoss(config.NumNegatives, config.Temperature, config.Negatives switch
        {
            "local" => NegativeSampling.Local,
            "local_shared" => NegativeSampling.LocalShared,
            "in_batch" => NegativeSampling.InBatch,
            _ => throw new ArgumentException($"unknown negatives '{config.Negatives}' (expected local, local_shared or in_batch)"),
        }),
        "bce" => new BinaryCrossEntropyLoss(),
        "full_softmax" => new FullSoftmaxLoss(config.Temperature, config.LabelSmoothing),
        _ => throw new ArgumentException($"unknown loss '{config.Loss}' (expected sampled_softmax, full_softmax or bce)"),
    };
}
