using GenRec.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Training.Losses;

/// <summary>The original SASRec loss: binary cross-entropy on the positive and one uniformly sampled negative per position.</summary>
internal sealed class BinaryCrossEntropyLoss : IRetrievalLoss
{
    /// <summary>The items negatives are drawn from when some are outside the run's catalogue; null: items 1..I.</summary>
    public TrainingVocabulary? Vocabulary { get; init; }

    // states: [M, D], positives: [M] -> scalar
    public Tensor Compute(SequentialRecommender model, Tensor states, Tensor positives, Generator generator)
    {
        var negatives = Vocabulary?.Sample(positives.shape, generator, states.device)
            ?? randint(1, model.NumItems + 1, positives.shape, generator: generator, dtype: int64, device: states.device); // [M]
        var positiveLogits = model.ScorePerRow(states, positives.unsqueeze(1)).squeeze(1);  // [M]
        var negativeLogits = model.ScorePerRow(states, negatives.unsqueeze(1)).squeeze(1);  // [M]
        var valid = negatives.ne(positives).to(states.dtype);                               // a collision is no negative
        var positiveLoss = nn.functional.binary_cross_entropy_with_logits(positiveLogits, ones_like(positiveLogits), reduction: nn.Reduction.None);
        var negativeLoss = nn.functional.binary_cross_entropy_with_logits(negativeLogits, zeros_like(negativeLogits), reduction: nn.Reduction.None);
        return (positiveLoss + (negativeLoss * valid)).mean();
    }
}
