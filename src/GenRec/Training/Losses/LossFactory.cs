using GenRec.Configuration;
namespace GenRec.Training.Losses;

internal static class LossFactory
{
    public static IRetrievalLoss Create(TrainConfig config) => config.Loss switch
    {
        LossKind.SampledSoftmax => new SampledSoftmaxLoss(config.NumNegatives, config.Temperature, config.Negatives),
        LossKind.Bce => new BinaryCrossEntropyLoss(),
        LossKind.FullSoftmax => new FullSoftmaxLoss(config.Temperature, config.LabelSmoothing),
        _ => throw new ArgumentOutOfRangeException(nameof(config), config.Loss, "train.loss"),
    };
}
