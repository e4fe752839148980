using System.Text.Json;
using System.Text.Json.Serialization;
using GenRec.Models;

namespace GenRec.Training;

/// <summary>A whole run, as stored in <c>configs/*.json</c>: data, model, optimisation and seed.</summary>
public sealed record RunConfig
{
    public string Name { get; init; } = "run";

    public int Seed { get; init; } = 42;

    public DataConfig Data { get; init; } = new();

    public ModelConfig Model { get; init; } = new();

    public TrainConfig Train { get; init; } = new();

    /// <summary>Device and numerics (<c>compute.device</c>: auto, cpu, cuda, cuda:N).</summary>
    public Compute.ComputeConfig Compute { get; init; } = new();

    /// <summary>LLM-ESR: where item text embeddings come from and the self-distillation; needs <c>model.semantic_view</c>.</summary>
    public LlmEsr.LlmEsrConfig? LlmEsr { get; init; }

    /// <summary>The same run without LLM-ESR: ID embeddings only, no self-distillation (the baseline of the comparison).</summary>
    public RunConfig WithoutLlmEsr() => this with { LlmEsr = null, Model = Model with { SemanticView = null } };

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

    public static RunConfig Load(string path) => JsonConfig.Load<RunConfig>(path);

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
