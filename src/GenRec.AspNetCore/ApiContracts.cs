namespace GenRec.AspNetCore;

/// <summary>
/// <c>POST /recommend</c>: a known user (original id) or a history of original item ids, oldest first; with a history, the
/// user's features by name (<c>user_features</c>, e.g. <c>{"gender": "F"}</c>) for a model that reads them (cold start).
/// With a ranker loaded, <c>stages</c> asks for two stages (retrieval's top <c>retrieve</c>, then the ranker's scores of
/// all of them, ordered by the task probabilities weighted by <c>task_weights</c>); <c>deadline_ms</c> bounds the time
/// left for ranking, past which retrieval's order answers; <c>ratings</c> and <c>timestamps</c> give an explicit
/// history's signals to a ranker that reads them (as <c>/rank</c>). A generative (semantic-ID) model searches
/// <c>beams</c> IDs (at least <c>k</c>, or <c>stages.retrieve</c>; the server's default when absent).
/// </summary>
internal sealed record RecommendRequest(
    string? User,
    string[]? History,
    int? K,
    bool? FilterHistory,
    Dictionary<string, string>? UserFeatures = null,
    StagesRequest? Stages = null,
    Dictionary<string, float>? TaskWeights = null,
    int? DeadlineMs = null,
    float[]? Ratings = null,
    long[]? Timestamps = null,
    int? Beams = null);

/// <summary>The stages of a <c>/recommend</c>: how many items retrieval hands on, and whether the ranker scores them.</summary>
internal sealed record StagesRequest(int? Retrieve = null, bool? Rank = null);

/// <summary>How a <c>/recommend</c> was answered: items retrieved, whether they were ranked, why not (a fallback), the time of each stage.</summary>
internal sealed record StagesResponse(int Retrieved, bool Ranked, string? Fallback, double RetrieveMs, double? RankMs, IReadOnlyDictionary<string, float>? TaskWeights);

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

/// <summary>
/// An item with its score and, from a ranking model, a probability per task. In a two-stage answer <c>stage</c> says which
/// stage produced <c>score</c>: <c>rank</c> (the weighted task probabilities; retrieval's own is <c>retrieval_score</c>)
/// or <c>retrieve</c> (a fallback to retrieval's order).
/// </summary>
internal sealed record ScoredItemDto(string Item, string Title, float Score, IReadOnlyDictionary<string, float>? Tasks = null, string? Stage = null, float? RetrievalScore = null);

internal sealed record RecommendResponse(IReadOnlyList<ScoredItemDto> Items, int HistoryLength, int ModelGeneration, StagesResponse? Stages = null);

internal sealed record RankResponse(IReadOnlyList<ScoredItemDto> Scores, int HistoryLength, int ModelGeneration);

/// <summary>Every error's body: what was wrong, and the request id that the log line of it carries.</summary>
internal sealed record ErrorResponse(string Error, string? RequestId = null);

/// <summary>One item of <c>POST /catalog/items</c>: its id and the text it is named by (the fields of items.jsonl).</summary>
internal sealed record CatalogItemRequest(string? Id, string? Title, string[]? Categories = null, string? Brand = null, double? Price = null);

/// <summary><c>POST /catalog/items</c>: items to add to the served model, all or nothing.</summary>
internal sealed record CatalogAddRequest(CatalogItemRequest[]? Items);

/// <summary><c>POST /catalog/withdraw</c> and <c>/catalog/restore</c>: item ids.</summary>
internal sealed record CatalogIdsRequest(string[]? Items);
