namespace GenRec.Evaluation;

/// <summary>Metrics over a set of cases, and each case's 0-based rank (for breakdowns such as long-tail groups).</summary>
public sealed record EvalResult(SortedDictionary<string, double> Metrics, int[] Ranks, string Protocol)
{
    /// <summary>A metric by its key (<c>hr@10</c>, <c>ndcg@10</c>, <c>mrr</c>, ...).</summary>
    public double this[string key] => Metrics[key];

    /// <summary>The named metrics as one line, e.g. <c>hr@10=0.2853 ndcg@10=0.1603</c>.</summary>
    public string Summary(params string[] keys) =>
        string.Join("  ", (keys.Length == 0 ? ["hr@10", "ndcg@10", "mrr"] : keys).Select(k => $"{k}={Metrics[k]:F4}"));
}
