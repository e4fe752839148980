using GenRec.Scoring;
using GenRec.Data;
using GenRec.Data.Splits;
using GenRec.Evaluation;

namespace GenRec.Serving;

/// <summary>Exact top-k recommendation from any <see cref="IScorer"/>, with the history's items (and withdrawn ones) left out.</summary>
internal sealed class TopKRecommender
{
    private readonly IScorer scorer;
    private readonly SequenceDataset dataset;
    private readonly IReadOnlySet<int> withdrawn;

    /// <param name="scorer">Scores every item.</param>
    /// <param name="dataset">The items' keys and labels.</param>
    /// <param name="withdrawn">Items never recommended (withdrawn from the catalogue).</param>
    public TopKRecommender(IScorer scorer, SequenceDataset dataset, IReadOnlySet<int>? withdrawn = null)
    {
        this.withdrawn = withdrawn ?? new HashSet<int>();
        if (scorer.NumItems != dataset.NumItems)
        {
            throw new ArgumentException($"scorer has {scorer.NumItems} items, dataset {dataset.NumItems}");
        }

        this.scorer = scorer;
        this.dataset = dataset;
    }

    /// <summary>The user's full sequence (by original user id) as history.</summary>
    public int[] HistoryOf(string userKey) =>
        dataset.UserIds.TryGetValue(userKey, out var index) ? dataset.Sequences[index] : throw new KeyNotFoundException($"unknown user '{userKey}'");

    /// <summary>Dense ids of original item ids; unknown ids are an error naming them.</summary>
    public int[] ItemsOf(IEnumerable<string> itemKeys) =>
        dataset.TryItemsOf(itemKeys.ToArray(), out var ids, out var unknown) ? ids : throw new KeyNotFoundException(SequenceDataset.DescribeUnknown(unknown));

    /// <param name="history">Dense item ids, oldest first.</param>
    /// <param name="k">How many items.</param>
    /// <param name="filterHistory">Leave out the history's items.</param>
    /// <param name="user">The known user (dense index) whose stored features the model reads, or -1.</param>
    /// <param name="userFeatures">Feature value ids of a user the data does not know.</param>
    public IReadOnlyList<Recommendation> Recommend(int[] history, int k, bool filterHistory = true, int user = -1, int[]? userFeatures = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var scores = new float[dataset.NumItems + 1];
        scorer.Score([new EvalCase(user, history, 0, UserFeatures: userFeatures)], scores);
        scores[0] = float.NegativeInfinity;
        foreach (var item in withdrawn)
        {
            scores[item] = float.NegativeInfinity;
        }

        if (filterHistory)
        {
            foreach (var item in history)
            {
                scores[item] = float.NegativeInfinity;
            }
        }

        // Same order as evaluation: score descending, then item id ascending.
        return Enumerable.Range(1, dataset.NumItems)
            .Where(i => !float.IsNegativeInfinity(scores[i]))
            .OrderByDescending(i => scores[i]).ThenBy(i => i)
            .Take(k)
            .Select(i => new Recommendation(i, dataset.ItemKeys[i], dataset.ItemLabel(i), scores[i]))
            .ToArray();
    }
}
