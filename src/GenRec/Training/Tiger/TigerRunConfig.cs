using System.Text.Json;
using GenRec.Models.Tiger;

namespace GenRec.Training.Tiger;

/// <summary>
/// Optimisation of TIGER: AdamW with a linear warm-up then a constant (default), cosine or inverse-sqrt
/// learning rate (<see cref="LearningRateSchedule"/>), cross-entropy over the target ID's codes;
/// validation every <see cref="StepsPerEpoch"/> steps on <see cref="MaxValidationUsers"/> users with
/// <see cref="Beams"/> beams (Recall/NDCG at 5 and 10 of the top beams), early stopping on NDCG@10.
/// </summary>
internal sealed record TigerTrainConfig
{
    public int BatchSize { get; init; } = 256;

    public double LearningRate { get; init; } = 1e-3;

    public double WeightDecay { get; init; } = 0.01;

    public int WarmupSteps { get; init; } = 300;

    /// <summary>After warm-up: constant, cosine or inverse_sqrt (<see cref="LearningRateSchedule"/>).</summary>
    public string LrSchedule { get; init; } = "constant";

    /// <summary>Steps of the cosine decay after warm-up.</summary>
    public int DecaySteps { get; init; }

    public double MinLearningRate { get; init; }

    public int Epochs { get; init; } = 200;

    /// <summary>Optimiser steps between validations (0: one pass over the training examples). TIGER counts training in steps.</summary>
    public int StepsPerEpoch { get; init; }

    public int Patience { get; init; } = 10;

    /// <summary>Beam width of generation in evaluation; the top 10 beams are scored (at least 10).</summary>
    public int Beams { get; init; } = 20;

    /// <summary>Validate on at most this many users (0: all), chosen once with the seed.</summary>
    public int MaxValidationUsers { get; init; } = 5_000;

    public LearningRateSchedule Schedule() => new(LearningRate, WarmupSteps, LrSchedule, DecaySteps, MinLearningRate);

    public double MaxMinutes { get; init; }
}

/// <summary>A TIGER run (configs/*-tiger.json): data, semantic ID table, model, optimisation, seed.</summary>
internal sealed record TigerRunConfig
{
    public string Name { get; init; } = "tiger";

    public int Seed { get; init; } = 42;

    public DataConfig Data { get; init; } = new();

    /// <summary>The item -> semantic ID table from <c>genrec semantic-ids</c> (TSV); "random" for the random-ID ablation.</summary>
    public string SemanticIds { get; init; } = "semantic-ids.tsv";

    public TigerConfig Model { get; init; } = new();

    public TigerTrainConfig Train { get; init; } = new();

    /// <summary>Device and numerics (<c>compute.device</c>: auto, cpu, cuda, cuda:N).</summary>
    public Compute.ComputeConfig Compute { get; init; } = new();

    public static TigerRunConfig Load(string path) => JsonConfig.Load<TigerRunConfig>(path);

    public string ToJson() => JsonSerializer.Serialize(this, RunConfig.Json);
}
