using System.Text.Json.Serialization;

namespace GenRec.Data.Preparation;

/// <summary>Options that change what a prepared dataset holds (and so its cache key).</summary>
public sealed record PrepareOptions
{
    /// <summary>Minimum interactions per user and per item; 0 turns filtering off.</summary>
    public int KCore { get; init; }

    /// <summary>Iterative k-core (until every user and item has k events) or one pass.</summary>
    public KCoreMode KCoreMode { get; init; } = KCoreMode.Iterative;

    /// <summary>
    /// Keep only interactions before this time (Unix seconds, as the log's timestamps), before any filtering: the log as
    /// it stood at a cut-off, for training a model that later meets what came after. Null: the whole log. (Left out of
    /// the cache key when null, so logs prepared before it existed keep their keys.)
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Until { get; init; }
}
