using GenRec.Training;
using System.Text.Json;
using GenRec.Models.Tiger;
using GenRec.Training.Tiger;

namespace GenRec.Configuration;

/// <summary>
/// Optimisation of TIGER: AdamW with a linear warm-up then a constant (default), cosine or inverse-sqrt
/// learning rate (<see cref="LearningRateSchedule"/>), cross-entropy over the target ID's codes;
/// validation every <see cref="StepsPerEpoch"/> steps on <see cref="MaxValidationUsers"/> users with
/// <see cref="Beams"/> beams (Recall/NDCG at 5 and 10 of the top beams), early stopping on NDCG@10.
/// </summary>
internal sealed record TigerTrainConfig() : TrainingSettings(batchSize: 256, epochs: 200, patience: 10, weightDecay: 0.01)
{
    public int WarmupSteps { get; init; } = 300;

    /// <summary>After warm-up: constant, cosine or inverse_sqrt (<see cref="LearningRateSchedule"/>).</summary>
    public LrSchedule LrSchedule { get; init; } = LrSchedule.Constant;

    /// <summary>Steps of the cosine decay after warm-up.</summary>
    public int DecaySteps { get; init; }

    public double MinLearningRate { get; init; }

    /// <summary>Optimiser steps between validations (0: one pass over the training examples). TIGER counts training in steps.</summary>
    public int StepsPerEpoch { get; init; }

    /// <summary>Beam width of generation in evaluation; the top 10 beams are scored (at least 10).</summary>
    public int Beams { get; init; } = 20;

    /// <summary>Validate on at most this many users (0: all), chosen once with the seed.</summary>
    public int MaxValidationUsers { get; init; } = 5_000;

    public LearningRateSchedule Schedule() => new(LearningRate, WarmupSteps, LrSchedule, DecaySteps, MinLearningRate);
}
