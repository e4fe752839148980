using GenRec.Scoring;
using GenRec.Data.Splits;

namespace GenRec.Evaluation;

/// <summary>
/// A simulated cold start: the test cases again with only each user's first N history items, for each N, ranked by
/// the model and by most-popular (which needs no history). A model that reads neither items nor user features has
/// no input at N = 0: every item gets the same score and the figure would only measure the tie order (item id), so
/// that row carries no model figure and says why.
/// </summary>
internal static class ColdStartTest
{
    /// <param name="HistoryItems">N: how many of each user's first history items the model saw.</param>
    /// <param name="Users">Test users.</param>
    /// <param name="Model">The model's metrics, or null where it had no input (see <paramref name="ModelAbsent"/>).</param>
    /// <param name="MostPopular">Most-popular's metrics on the same cases.</param>
    /// <param name="ModelAbsent">Why there is no model figure, else null.</param>
    internal sealed record Row(int HistoryItems, int Users, SortedDictionary<string, double>? Model, SortedDictionary<string, double> MostPopular, string? ModelAbsent = null);

    /// <summary>Why a model has no figure where <see cref="HasNoInput"/> holds.</summary>
    public const string NoInputReason = "no input: the model reads neither items nor user features, so every item scores the same";

    /// <summary>Whether a model sees nothing at all with the first <paramref name="historyItems"/> items: none, and no user features.</summary>
    public static bool HasNoInput(int historyItems, bool modelReadsUserFeatures) => historyItems == 0 && !modelReadsUserFeatures;

    public static Row[] Run(IScorer model, bool modelReadsUserFeatures, IScorer popular, IReadOnlyList<EvalCase> test, IReadOnlyList<int> prefixes, EvalOptions options) =>
        [.. prefixes.Select(n =>
        {
            var cases = EvalCases.HistoryPrefix(test, n);
            var noInput = HasNoInput(n, modelReadsUserFeatures);
            return new Row(
                n,
                cases.Length,
                noInput ? null : Evaluator.Evaluate(model, cases, options).Metrics,
                Evaluator.Evaluate(popular, cases, options).Metrics,
                noInput ? NoInputReason : null);
        })];

    /// <summary>The N values of a comma-separated list such as <c>0,1,3</c>; <paramref name="option"/> names the option in errors.</summary>
    public static int[] ParsePrefixes(string text, string option)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            throw new ArgumentException($"{option}: no history lengths given (e.g. 0,1,3)");
        }

        return [.. parts.Select(p => int.TryParse(p, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new ArgumentException($"{option}: '{p}' is not a whole number of history items (0 or more)"))];
    }
}
