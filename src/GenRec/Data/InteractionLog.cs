namespace GenRec.Data;

/// <summary>
/// Raw interactions as read from a file, in file order, with original (string) user and item keys.
/// Columnar so that ML-20M-sized inputs stay compact; keys are interned per log.
/// </summary>
internal sealed class InteractionLog
{
    private readonly Dictionary<string, string> _intern = new(StringComparer.Ordinal);
    private readonly List<string> _users = [];
    private readonly List<string> _items = [];
    private readonly List<float> _ratings = [];
    private readonly List<long> _timestamps = [];

    public InteractionLog(string source, bool hasRatings, bool hasTimestamps)
    {
        Source = source;
        HasRatings = hasRatings;
        HasTimestamps = hasTimestamps;
    }

    /// <summary>Path(s) the rows came from, for reports.</summary>
    public string Source { get; }

    public bool HasRatings { get; }

    public bool HasTimestamps { get; }

    public int Count => _users.Count;

    public IReadOnlyList<string> Users => _users;

    public IReadOnlyList<string> Items => _items;

    public IReadOnlyList<float> Ratings => _ratings;

    public IReadOnlyList<long> Timestamps => _timestamps;

    public void Add(string user, string item, float rating = 0f, long timestamp = 0L)
    {
        _users.Add(Intern(user));
        _items.Add(Intern(item));
        if (HasRatings)
        {
            _ratings.Add(rating);
        }

        if (HasTimestamps)
        {
            _timestamps.Add(timestamp);
        }
    }

    private string Intern(string key)
    {
        if (_intern.TryGetValue(key, out var existing))
        {
            return existing;
        }

        _intern[key] = key;
        return key;
    }

    /// <summary>The interactions before <paramref name="until"/> (Unix seconds), in file order.</summary>
    /// <exception cref="InvalidDataException">The log has no timestamps.</exception>
    public InteractionLog Before(long until)
    {
        if (!HasTimestamps)
        {
            throw new InvalidDataException($"{Source}: data.until needs timestamps, and this log has none");
        }

        var kept = new InteractionLog(Source, HasRatings, HasTimestamps);
        for (var r = 0; r < Count; r++)
        {
            if (_timestamps[r] < until)
            {
                kept.Add(_users[r], _items[r], HasRatings ? _ratings[r] : 0f, _timestamps[r]);
            }
        }

        return kept;
    }
}
