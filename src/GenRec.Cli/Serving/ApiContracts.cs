namespace GenRec.Cli.Serving;

/// <summary><c>POST /recommend</c>: a known user (original id) or a history of original item ids, oldest first.</summary>
internal sealed record RecommendRequest(string? User, string[]? History, int? K, bool? FilterHistory);

/// <summary>
/// <c>POST /rank</c>: a user or a history, and the candidate items to score. With a ranking model
/// loaded, an explicit history also gives <c>ratings</c> (rated models) and <c>timestamps</c>
/// (time-aware models), one per history item.
/// </summary>
internal sealed record RankRequest(string? User, string[]? History, string[]? Candidates, float[]? Ratings = null, long[]? Timestamps = null);

/// <summary>The <c>POST /reload</c> body: new checkpoints, or none to reload the current ones.</summary>
internal sealed record ReloadRequest(string? Checkpoint, string? Ranker = null);

/// <summary>An item with its retrieval score and, from a ranking model, a probability per task.</summary>
internal sealed record ScoredItemDto(string Item, string Title, float Score, IReadOnlyDictionary<string, float>? Tasks = null);

internal sealed record RecommendResponse(IReadOnlyList<ScoredItemDto> Items, int HistoryLength, int ModelGeneration);

internal sealed record RankResponse(IReadOnlyList<ScoredItemDto> Scores, int HistoryLength, int ModelGeneration);

internal sealed record ErrorResponse(string Error);

/// <summary>Limits the service enforces on every request.</summary>
internal sealed record ServiceOptions
{
    public string Host { get; init; } = "127.0.0.1";

    public int Port { get; init; } = 8080;

    /// <summary>Largest accepted request body, in bytes (413 above).</summary>
    public long MaxBodyBytes { get; init; } = 256 * 1024;

    /// <summary>Longest accepted history, in items (the model reads its last max_length of them).</summary>
    public int MaxHistory { get; init; } = 2_000;

    public int MaxK { get; init; } = 1_000;

    public int MaxCandidates { get; init; } = 10_000;
}
