using GenRec.Configuration;
namespace GenRec.Training.Losses;

internal static class LossFactory
{
    /// <summary>The config's loss, over <paramref name="vocabulary"/> when the run leaves items out of its catalogue.</summary>
    public static IRetrievalLoss Create(TrainConfig config, TrainingVocabulary? vocabulary = null) => config.Loss switch
    {
        LossKind.SampledSoftmax => new SampledSoftmaxLoss(config.NumNegatives, config.Temperature, config.Negatives) { Vocabulary = vocabulary },
        LossKind.Bce => new BinaryCrossEntropyLoss { Vocabulary = vocabulary },
        LossKind.FullSoftmax => new FullSoftmaxLoss(config.Temperature, config.LabelSmoothing) { Vocabulary = vocabulary },
        _ => throw new ArgumentOutOfRangeException(nameof(config), config.Loss, "train.loss"),
    };
}
