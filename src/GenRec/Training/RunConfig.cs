using System.Text.Json;
using System.Text.Json.Serialization;
using GenRec.Models;

namespace GenRec.Training;

/// <summary>A whole run, as stored in <c>configs/*.json</c>: data, model, optimisation and seed.</summary>
public sealed record RunConfig
{
    /// <summary>The run's name, recorded in checkpoints and results.</summary>
    public string Name { get; init; } = "run";

    /// <summary>Seed of every random choice; the same seed and config give the same metrics on CPU.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>What data to train on and how to split it.</summary>
    public DataConfig Data { get; init; } = new();

    /// <summary>The model family and its sizes.</summary>
    public ModelConfig Model { get; init; } = new();

    /// <summary>Optimiser, loss, schedule and early stopping.</summary>
    public TrainConfig Train { get; init; } = new();

    /// <summary>Device and numerics (<c>compute.device</c>: auto, cpu, cuda, cuda:N).</summary>
    public Compute.ComputeConfig Compute { get; init; } = new();

    /// <summary>LLM-ESR: where item text embeddings come from and the self-distillation; needs <c>model.semantic_view</c>.</summary>
    public LlmEsr.LlmEsrConfig? LlmEsr { get; init; }

    /// <summary>The same run without LLM-ESR: ID embeddings only, no self-distillation (the baseline of the comparison).</summary>
    public RunConfig WithoutLlmEsr() => this with { LlmEsr = null, Model = Model with { SemanticView = null } };

    /// <summary>The JSON options configs are read and written with (snake_case, comments allowed).</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Reads a config file; unknown fields are errors naming the field.</summary>
    public static RunConfig Load(string path) => JsonConfig.Load<RunConfig>(path);

    /// <summary>The config as JSON, as <see cref="Load"/> reads it.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
