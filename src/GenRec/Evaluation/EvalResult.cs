namespace GenRec.Evaluation;

/// <summary>Metrics over a set of cases, and each case's 0-based rank (for breakdowns such as long-tail groups).</summary>
public sealed record EvalResult(SortedDictionary<string, double> Metrics, int[] Ranks, string Protocol)
{
    public double this[string key] => Metrics[key];

    public string Summary(params string[] keys) =>
        string.Join("  ", (keys.Length == 0 ? ["hr@10", "ndcg@10", "mrr"] : keys).Select(k => $"{k}={Metrics[k]:F4}"));
}
