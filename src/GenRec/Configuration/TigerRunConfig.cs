namespace GenRec.Configuration;

/// <summary>A TIGER run (<c>configs/*-tiger.json</c>, <c>"kind": "tiger"</c>): the semantic ID table beside the shared data, model, optimisation and seed.</summary>
internal sealed record TigerRunConfig : RunConfig<TigerConfig, TigerTrainConfig>
{
    /// <summary>A TIGER run with the published defaults.</summary>
    public TigerRunConfig() => Name = "tiger";

    /// <inheritdoc/>
    public override RunKind Kind => RunKind.Tiger;

    /// <summary>The item -> semantic ID table from <c>genrec semantic-ids</c> (TSV); "random" for the random-ID ablation.</summary>
    public string SemanticIds { get; init; } = "semantic-ids.tsv";
}
