using GenRec.Util;
using GenRec.Data;
using GenRec.Serving;

namespace GenRec.AspNetCore;

/// <summary>A request the service refuses: HTTP status and a message naming the field.</summary>
internal sealed class RequestException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}

/// <summary>Turns request fields into dense item ids, or says precisely what is wrong with them.</summary>
internal static class RequestValidator
{
    /// <summary>
    /// The history of a request: a known user's whole sequence, or the given items. An empty history is a user with no
    /// item yet, answered from the user features alone: accepted when <paramref name="coldStart"/> says the model reads
    /// user features and the request gives some.
    /// </summary>
    public static int[] History(IRetriever engine, string? user, string[]? history, GenRecServingOptions options, bool coldStart = false)
    {
        if (user is not null && history is not null)
        {
            throw new RequestException(400, "give either 'user' or 'history', not both");
        }

        if (user is not null)
        {
            return engine.Dataset.UserIds.TryGetValue(user, out var index)
                ? engine.Dataset.Sequences[index]
                : throw new RequestException(404, $"field 'user': unknown user '{QuotedText.Clip(user)}'");
        }

        if (history is null)
        {
            throw new RequestException(400, "give 'user' (an original user id) or 'history' (original item ids, oldest first)");
        }

        if (history.Length == 0 && coldStart)
        {
            return [];
        }

        if (history.Length == 0 && engine.UsesUserFeatures)
        {
            throw new RequestException(400, "field 'history': must hold at least one item id, or, for a user with no item yet, give 'user_features'");
        }

        return Items(engine, history, "history", options.MaxHistory);
    }

    /// <summary>
    /// The known user's dense index (-1 for a history) and, for a history, the request's user features as value ids
    /// (null when none are given). A known user's stored features are the model's; giving others is refused.
    /// </summary>
    public static (int User, int[]? Features) UserAndFeatures(IRetriever engine, string? user, Dictionary<string, string>? features)
    {
        if (user is not null)
        {
            return features is { Count: > 0 }
                ? throw new RequestException(400, "field 'user_features': only for a history (a user the model does not know); a known user's stored features are used")
                : (engine.Dataset.UserIds[user], null);
        }

        try
        {
            return (-1, engine.EncodeUserFeatures(features));
        }
        catch (ArgumentException e)
        {
            throw new RequestException(400, $"field 'user_features': {e.Message}");
        }
    }

    public static int[] Items(IRetriever engine, string[]? keys, string field, int maxCount)
    {
        if (keys is null || keys.Length == 0)
        {
            throw new RequestException(400, $"field '{field}': must hold at least one item id");
        }

        if (keys.Length > maxCount)
        {
            throw new RequestException(400, $"field '{field}': {keys.Length} items, at most {maxCount} accepted");
        }

        return engine.Dataset.TryItemsOf(keys, out var ids, out var unknown) ? ids
            : throw new RequestException(400, $"field '{field}': {SequenceDataset.DescribeUnknown(unknown)}");
    }

    /// <summary>Ratings and timestamps of the history for the ranking model: the dataset's for a known user, else the request's.</summary>
    public static (float[]? Ratings, long[]? Timestamps) RankingSignals(IRetriever engine, RankingEngine ranker, string? userKey, float[]? ratings, long[]? timestamps, int historyLength)
    {
        if (userKey is not null)
        {
            var user = engine.Dataset.UserIds[userKey];
            return (engine.Dataset.Ratings?[user], engine.Dataset.Timestamps?[user]);
        }

        return (Signal(ratings, "ratings", ranker.NeedsRatings, historyLength), Signal(timestamps, "timestamps", ranker.NeedsTimestamps, historyLength));
    }

    private static T[]? Signal<T>(T[]? values, string field, bool needed, int historyLength)
    {
        if (!needed)
        {
            return null;
        }

        if (values is null || values.Length != historyLength)
        {
            throw new RequestException(400, $"field '{field}': the ranking model needs one value per history item ({historyLength}), got {values?.Length ?? 0}");
        }

        return values;
    }
}
