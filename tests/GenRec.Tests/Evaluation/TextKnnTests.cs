using GenRec.Data.Splits;
using GenRec.Models.Baselines;

namespace GenRec.Tests.Evaluation;

/// <summary>The text-kNN floor against a brute-force cosine on hand-made vectors.</summary>
public class TextKnnTests
{
    [Fact]
    public void ScoresEveryItemByCosineToTheLastHistoryItemAndNeverTheItemItself()
    {
        const int items = 5, dim = 3;
        var random = new Random(11);
        var vectors = new float[(items + 1) * dim];
        for (var i = dim; i < vectors.Length; i++)
        {
            vectors[i] = (float)((random.NextDouble() * 4) - 2); // unnormalised on purpose
        }

        var knn = new TextKnn(vectors, dim, items);
        EvalCase[] cases = [new(0, [1, 4], 2), new(1, [3], 5), new(2, [], 1)];
        var scores = new float[cases.Length * (items + 1)];
        knn.Score(cases, scores);
        float Norm(int i) => MathF.Sqrt(Enumerable.Range(0, dim).Sum(k => vectors[(i * dim) + k] * vectors[(i * dim) + k]));
        float Cosine(int a, int b) => Enumerable.Range(0, dim).Sum(k => vectors[(a * dim) + k] * vectors[(b * dim) + k]) / (Norm(a) * Norm(b));
        for (var c = 0; c < 2; c++)
        {
            var last = cases[c].History[^1];
            for (var j = 1; j <= items; j++)
            {
                Assert.Equal(j == last ? -2f : Cosine(last, j), scores[(c * (items + 1)) + j], 5);
            }
        }

        Assert.All(scores.AsSpan(2 * (items + 1), items + 1).ToArray(), s => Assert.Equal(0f, s));
        Assert.Throws<ArgumentException>(() => new TextKnn(new float[10], dim, items));
        Assert.Contains("--embeddings", Assert.Throws<ArgumentException>(() => BaselineFactory.Create(BaselineFactory.TextKnnName, [], items)).Message);
    }
}
