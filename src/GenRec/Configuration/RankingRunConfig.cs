namespace GenRec.Configuration;

/// <summary>A ranking run as stored in <c>configs/*-ranking.json</c> (<c>"kind": "ranking"</c>): data, model, optimisation, seed.</summary>
internal sealed record RankingRunConfig : RunConfig<RankingConfig, RankingTrainConfig>
{
    /// <summary>A ranking run with the published defaults.</summary>
    public RankingRunConfig() => Name = "ranking";

    /// <inheritdoc/>
    public override RunKind Kind => RunKind.Ranking;
}
