namespace GenRec.AspNetCore;

/// <summary>
/// <c>POST /recommend</c>: a known user (original id) or a history of original item ids, oldest first; with a history, the
/// user's features by name (<c>user_features</c>, e.g. <c>{"gender": "F"}</c>) for a model that reads them (cold start).
/// </summary>
internal sealed record RecommendRequest(string? User, string[]? History, int? K, bool? FilterHistory, Dictionary<string, string>? UserFeatures = null);

/// <summary>
/// <c>POST /rank</c>: a user or a history, and the candidate items to score. With a ranking model
/// loaded, an explicit history also gives <c>ratings</c> (rated models) and <c>timestamps</c>
/// (time-aware models), one per history item.
/// </summary>
internal sealed record RankRequest(string? User, string[]? History, string[]? Candidates, float[]? Ratings = null, long[]? Timestamps = null, Dictionary<string, string>? UserFeatures = null);

/// <summary>
/// The <c>POST /reload</c> body: new checkpoints (paths inside the model root, relative to it or absolute),
/// or none to reload the current ones. A checkpoint of another dataset is refused unless
/// <c>allow_dataset_change</c> is true.
/// </summary>
internal sealed record ReloadRequest(string? Checkpoint = null, string? Ranker = null, bool AllowDatasetChange = false);

/// <summary>An item with its retrieval score and, from a ranking model, a probability per task.</summary>
internal sealed record ScoredItemDto(string Item, string Title, float Score, IReadOnlyDictionary<string, float>? Tasks = null);

internal sealed record RecommendResponse(IReadOnlyList<ScoredItemDto> Items, int HistoryLength, int ModelGeneration);

internal sealed record RankResponse(IReadOnlyList<ScoredItemDto> Scores, int HistoryLength, int ModelGeneration);

/// <summary>Every error's body: what was wrong, and the request id that the log line of it carries.</summary>
internal sealed record ErrorResponse(string Error, string? RequestId = null);

/// <summary>One item of <c>POST /catalog/items</c>: its id and the text it is named by (the fields of items.jsonl).</summary>
internal sealed record CatalogItemRequest(string? Id, string? Title, string[]? Categories = null, string? Brand = null, double? Price = null);

/// <summary><c>POST /catalog/items</c>: items to add to the served model, all or nothing.</summary>
internal sealed record CatalogAddRequest(CatalogItemRequest[]? Items);

/// <summary><c>POST /catalog/withdraw</c> and <c>/catalog/restore</c>: item ids.</summary>
internal sealed record CatalogIdsRequest(string[]? Items);
