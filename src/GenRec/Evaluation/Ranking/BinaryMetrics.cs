namespace GenRec.Evaluation.Ranking;

/// <summary>AUC (Mann-Whitney, ties count half) and mean log loss of probabilities against 0/1 labels.</summary>
internal static class BinaryMetrics
{
    public static double Auc(IReadOnlyList<float> scores, IReadOnlyList<bool> labels)
    {
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        double positiveRankSum = 0;
        long positives = 0;
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]])
            {
                end++;
            }

            var averageRank = ((start + end) / 2.0) + 1; // 1-based ranks, ties share their average
            for (var i = start; i <= end; i++)
            {
                if (labels[order[i]])
                {
                    positiveRankSum += averageRank;
                    positives++;
                }
            }

            start = end + 1;
        }

        long negatives = scores.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            return double.NaN;
        }

        return (positiveRankSum - (positives * (positives + 1) / 2.0)) / (positives * (double)negatives);
    }

    public static double LogLoss(IReadOnlyList<float> probabilities, IReadOnlyList<bool> labels)
    {
        const double eps = 1e-7;
        double sum = 0;
        for (var i = 0; i < probabilities.Count; i++)
        {
            var p = Math.Clamp(probabilities[i], eps, 1 - eps);
            sum -= labels[i] ? Math.Log(p) : Math.Log(1 - p);
        }

        return sum / probabilities.Count;
    }
}
