namespace GenRec.Data.Preparation;

/// <summary>Options that change what a prepared dataset holds (and so its cache key).</summary>
public sealed record PrepareOptions
{
    /// <summary>Minimum interactions per user and per item; 0 turns filtering off.</summary>
    public int KCore { get; init; }

    /// <summary>Iterative k-core (until every user and item has k events) or one pass.</summary>
    public KCoreMode KCoreMode { get; init; } = KCoreMode.Iterative;
}
