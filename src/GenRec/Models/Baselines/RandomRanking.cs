using GenRec.Data.Splits;
using GenRec.Scoring;

namespace GenRec.Models.Baselines;

/// <summary>
/// A random ranking: every item a uniform score drawn from the seed, the user and the item (the same ranking for the
/// same user on any run); the chance level a cold-item figure is read against (HR@10 about 10 / items).
/// </summary>
internal sealed class RandomRanking(int numItems, int seed) : IScorer
{
    public int NumItems => numItems;

    public void Score(IReadOnlyList<EvalCase> batch, Span<float> scores)
    {
        for (var b = 0; b < batch.Count; b++)
        {
            var random = new Random(unchecked((seed * 1_000_003) + (batch[b].User * 7_919))); // HashCode.Combine differs per process
            var row = scores.Slice(b * (numItems + 1), numItems + 1);
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = random.NextSingle();
            }
        }
    }
}
