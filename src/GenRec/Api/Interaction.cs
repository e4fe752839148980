namespace GenRec;

/// <summary>
/// One user-item event of an in-memory log, for <see cref="Datasets.FromInteractions"/>: the user's and
/// item's original ids, and optionally when it happened (Unix seconds; events of a user are ordered by it,
/// then by their order in the log) and a rating.
/// </summary>
public readonly record struct Interaction(string User, string Item, long Timestamp = 0, float Rating = 0);
