using System.Text.Json;
using System.Text.Json.Serialization;
using GenRec.Models;
using GenRec.Training;

namespace GenRec.Configuration;

/// <summary>A whole run, as stored in <c>configs/*.json</c>: data, model, optimisation and seed.</summary>
public sealed record RunConfig : RunConfig<ModelConfig, TrainConfig>
{
    /// <summary>A retrieval run with the published defaults (generative-recommenders' ML-1M SASRec).</summary>
    public RunConfig() => Name = "run";

    /// <inheritdoc/>
    public override RunKind Kind => RunKind.Retrieval;

    /// <summary>LLM-ESR: where item text embeddings come from and the self-distillation; needs <c>model.semantic_view</c>.</summary>
    public LlmEsrConfig? LlmEsr { get; init; }

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
        Converters = { new ClosedChoice.Converter() },
    };

    /// <summary>Reads a config file; unknown fields are errors naming the field.</summary>
    /// <param name="path">The JSON file.</param>
    /// <param name="sets">Overrides <c>key.path=value</c> merged onto the file before it is read (<c>train.epochs=5</c>, <c>model.encoder=hstu</c>); a value that is not JSON is a string.</param>
    public static RunConfig Load(string path, IReadOnlyList<string>? sets = null) => JsonConfig.Load<RunConfig>(path, sets);
}
