namespace GenRec.Serving;

/// <summary>
/// The order of a two-stage answer: retrieval's N candidates by the ranker's task probabilities weighted,
/// score_i = sum over tasks t of w_t p_(i,t), best first, ties in retrieval's order. The server's
/// <c>/recommend</c> and the offline evaluation of the same pipeline both order by it.
/// </summary>
internal static class TwoStageOrder
{
    /// <summary>sum_t w_t p_(i,t) of candidate <paramref name="i"/>; probabilities laid out [N, T]; a task without a weight counts 0.</summary>
    private static float Score(float[] probabilities, int i, string[] tasks, IReadOnlyDictionary<string, float> weights)
    {
        var score = 0f;
        for (var t = 0; t < tasks.Length; t++)
        {
            score += weights.TryGetValue(tasks[t], out var w) ? w * probabilities[(i * tasks.Length) + t] : 0;
        }

        return score;
    }

    /// <summary>Candidates (their index in retrieval's list of <paramref name="candidates"/>) with their scores, best first.</summary>
    public static (int Index, float Score)[] Order(float[] probabilities, int candidates, string[] tasks, IReadOnlyDictionary<string, float> weights) =>
        [.. Enumerable.Range(0, candidates).Select(i => (Index: i, Score: Score(probabilities, i, tasks, weights))).OrderByDescending(x => x.Score).ThenBy(x => x.Index)];
}
