namespace GenRec.Data.DuckDb;

/// <summary>Which columns of an interaction log hold the user, the item, and optionally the time (integer, e.g. Unix seconds) and rating.</summary>
/// <param name="User">The user id column.</param>
/// <param name="Item">The item id column.</param>
/// <param name="Timestamp">The time column; null when the log has none (file order is then the order of events).</param>
/// <param name="Rating">The rating column; null when the log has none.</param>
public sealed record LogColumns(string User = "user_id", string Item = "item_id", string? Timestamp = "timestamp", string? Rating = null);
