using GenRec.Evaluation.Ranking;

namespace GenRec.Tests.Ranking;

public class BinaryMetricsTests
{
    private static double PairwiseAuc(float[] s, bool[] y)
    {
        double wins = 0;
        var pairs = 0;
        for (var i = 0; i < s.Length; i++)
        {
            for (var j = 0; j < s.Length; j++)
            {
                if (y[i] && !y[j])
                {
                    pairs++;
                    wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
                }
            }
        }

        return wins / pairs;
    }

    [Fact]
    public void AucMatchesPairCountingWithTies()
    {
        var random = new Random(4);
        for (var trial = 0; trial < 20; trial++)
        {
            var scores = Enumerable.Range(0, 50).Select(_ => random.Next(10) / 10f).ToArray(); // many ties
            var labels = Enumerable.Range(0, 50).Select(_ => random.NextDouble() < 0.3).ToArray();
            Assert.Equal(PairwiseAuc(scores, labels), BinaryMetrics.Auc(scores, labels), 12);
        }

        Assert.Equal(1.0, BinaryMetrics.Auc([0.9f, 0.1f, 0.2f], [true, false, false]));
        Assert.Equal(0.5, BinaryMetrics.Auc([0.3f, 0.3f], [true, false]));
        Assert.True(double.IsNaN(BinaryMetrics.Auc([0.3f], [true])));
    }

    [Fact]
    public void LogLossByHand()
    {
        var expected = -(Math.Log(0.8) + Math.Log(1 - 0.4)) / 2;
        Assert.Equal(expected, BinaryMetrics.LogLoss([0.8f, 0.4f], [true, false]), 6);
    }
}
