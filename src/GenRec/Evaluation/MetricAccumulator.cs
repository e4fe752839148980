namespace GenRec.Evaluation;

/// <summary>
/// Accumulates single-target ranking metrics from 0-based ranks: HR@K (= Recall@K with one
/// target), NDCG@K = 1/log2(rank+2) when rank &lt; K, MRR@K = 1/(rank+1) when rank &lt; K, and
/// the uncut MRR. Keys are lower-case (<c>hr@10</c>, <c>ndcg@10</c>, <c>recall@10</c>, <c>mrr@10</c>, <c>mrr</c>).
/// </summary>
internal sealed class MetricAccumulator
{
    public static readonly int[] DefaultKs = [1, 5, 10, 50, 200];

    private readonly int[] _ks;
    private readonly double[] _hits;
    private readonly double[] _ndcg;
    private readonly double[] _mrrAtK;
    private double _mrr;

    public MetricAccumulator(IReadOnlyList<int>? ks = null)
    {
        _ks = (ks ?? DefaultKs).ToArray();
        if (_ks.Any(k => k <= 0))
        {
            throw new ArgumentException("every K must be positive", nameof(ks));
        }

        _hits = new double[_ks.Length];
        _ndcg = new double[_ks.Length];
        _mrrAtK = new double[_ks.Length];
    }

    public long Count { get; private set; }

    public void Add(int rank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        Count++;
        _mrr += 1.0 / (rank + 1);
        for (var i = 0; i < _ks.Length; i++)
        {
            if (rank < _ks[i])
            {
                _hits[i] += 1;
                _ndcg[i] += 1.0 / Math.Log2(rank + 2);
                _mrrAtK[i] += 1.0 / (rank + 1);
            }
        }
    }

    public SortedDictionary<string, double> Result()
    {
        var result = new SortedDictionary<string, double>(StringComparer.Ordinal);
        var n = Math.Max(Count, 1);
        for (var i = 0; i < _ks.Length; i++)
        {
            result[$"hr@{_ks[i]}"] = _hits[i] / n;
            result[$"recall@{_ks[i]}"] = _hits[i] / n;
            result[$"ndcg@{_ks[i]}"] = _ndcg[i] / n;
            result[$"mrr@{_ks[i]}"] = _mrrAtK[i] / n;
        }

        result["mrr"] = _mrr / n;
        return result;
    }
}
