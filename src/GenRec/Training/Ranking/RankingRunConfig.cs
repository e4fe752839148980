using System.Text.Json;
using GenRec.Models.Ranking;

namespace GenRec.Training.Ranking;

/// <summary>A ranking run as stored in <c>configs/*-ranking.json</c>: data, model, optimisation, seed.</summary>
internal sealed record RankingRunConfig
{
    public string Name { get; init; } = "ranking";

    public int Seed { get; init; } = 42;

    public DataConfig Data { get; init; } = new();

    public RankingConfig Model { get; init; } = new();

    public RankingTrainConfig Train { get; init; } = new();

    /// <summary>Device and numerics (<c>compute.device</c>: auto, cpu, cuda, cuda:N).</summary>
    public Compute.ComputeConfig Compute { get; init; } = new();

    public static RankingRunConfig Load(string path) => JsonConfig.Load<RankingRunConfig>(path);

    public string ToJson() => JsonSerializer.Serialize(this, RunConfig.Json);
}
