using System.Text.Json;

namespace GenRec.Configuration;

/// <summary>
/// The shape every run config shares, whatever it trains (<see cref="RunKind"/>): a name, a seed, the data, the model,
/// the optimisation and the compute settings. <c>genrec train --config</c> reads the <c>kind</c> and trains the run.
/// </summary>
/// <typeparam name="TModel">The model's config record.</typeparam>
/// <typeparam name="TTrain">The optimisation's config record.</typeparam>
public abstract record RunConfig<TModel, TTrain> : IRunConfig
    where TModel : new()
    where TTrain : TrainingSettings, new()
{
    /// <summary>What this run trains (written to every config and checkpoint; a file of another kind is refused).</summary>
    public abstract RunKind Kind { get; }

    /// <summary>The run's name, recorded in checkpoints and results.</summary>
    public string Name { get; init; } = "run";

    /// <summary>Seed of every random choice; the same seed and config give the same metrics on CPU.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>What data to train on and how to split it.</summary>
    public DataConfig Data { get; init; } = new();

    /// <summary>The model family and its sizes.</summary>
    public TModel Model { get; init; } = new();

    /// <summary>Optimiser, loss, schedule and early stopping.</summary>
    public TTrain Train { get; init; } = new();

    /// <summary>Device and numerics (<c>compute.device</c>: auto, cpu, cuda, cuda:N).</summary>
    public ComputeConfig Compute { get; init; } = new();

    IRunConfig IRunConfig.WithDataPath(string path) => this with { Data = Data with { Path = path } };

    /// <summary>The config as JSON (snake_case, the form <c>configs/*.json</c> use).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, GetType(), RunConfig.Json);
}
