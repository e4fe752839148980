using GenRec.Configuration;
using GenRec.Models.Tiger;
using GenRec.Training.Tiger;
using static TorchSharp.torch;

namespace GenRec.Tests.Tiger;

/// <summary>TIGER's batching: length-bucketed epochs cover every example once, and trimmed padding changes no loss.</summary>
public class TigerBatchingTests
{
    private static List<GenerativeExample> Examples(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i => new GenerativeExample(i % 7, [.. Enumerable.Repeat(1, 2 + random.Next(30))]))];
    }

    [Fact]
    public void BucketedBatchesCoverEveryExampleOnceAndPadLessThanAShuffle()
    {
        var examples = Examples(1_000, seed: 4);
        var batches = TigerBatchStream.LengthBucketed(examples, batchSize: 16, maxHistory: 20, new Random(1));
        Assert.All(batches, b => Assert.InRange(b.Length, 1, 16));
        Assert.Equal(Enumerable.Range(0, examples.Count), batches.SelectMany(b => b).Order());
        Assert.Equal(batches, TigerBatchStream.LengthBucketed(examples, 16, 20, new Random(1)));

        long Padded(IEnumerable<int[]> bs) => bs.Sum(b => (long)b.Length * b.Max(i => Math.Min(examples[i].History.Length, 20)));
        var shuffled = Enumerable.Range(0, examples.Count).OrderBy(_ => new Random(1).Next()).Chunk(16);
        Assert.True(Padded(batches) < 0.8 * Padded(shuffled), $"{Padded(batches)} vs {Padded(shuffled)}");
    }

    [Fact]
    public void TheStreamRunsThroughSuccessivePassesBatchByBatch()
    {
        var examples = Examples(100, seed: 2);
        var stream = new TigerBatchStream(examples, batchSize: 8, maxHistory: 20, seed: 3);
        Assert.Equal(13, stream.PassLength);                                               // 100 examples in batches of 8
        var twoPasses = Enumerable.Range(0, 26).Select(i => stream.Batch(i)).ToArray();
        Assert.Equal(stream.Pass(1), twoPasses[..13]);
        Assert.Equal(stream.Pass(2), twoPasses[13..]);
        Assert.NotEqual(stream.Pass(1), stream.Pass(2));
        Assert.Equal(twoPasses[20], new TigerBatchStream(examples, 8, 20, seed: 3).Batch(20)); // a resumed run sees the same batch
    }

    [Fact]
    public void InputsArePaddedToTheBatchsLongestHistoryAndExtraPaddingChangesNoLoss()
    {
        manual_seed(5);
        var vocabulary = new SemanticIdVocabulary([3, 3], userBuckets: 4);
        var model = new TigerModel(new TigerConfig { EncoderLayers = 2, DecoderLayers = 1, NumHeads = 2, HeadDim = 4, ModelDim = 8, FfnDim = 16, Dropout = 0.0 }, vocabulary);
        int[][] ids = [[], [0, 1], [2, 2], [1, 0]];
        (int, int[])[] rows = [(0, [1, 2]), (1, [3])];
        var input = TigerModel.EncoderInputs(vocabulary, ids, rows, maxHistory: 5);
        Assert.Equal(new long[] { 2, 1 + (2 * 2) }, input.shape);                          // user token + 2 items x 2 codes
        Assert.Equal(new long[] { vocabulary.UserToken(1), vocabulary.Token(0, 1), vocabulary.Token(1, 0), 0, 0 }, input[1].data<long>().ToArray());

        var targets = tensor(new long[] { vocabulary.Token(0, 2), vocabulary.Token(1, 2), vocabulary.Token(0, 0), vocabulary.Token(1, 1) }).view(2, 2);
        var padded = cat([input, zeros(2, 6, dtype: int64)], dim: 1);                      // as if maxHistory columns were kept
        using var _ = no_grad();
        Assert.Equal(model.Loss(input, targets).item<float>(), model.Loss(padded, targets).item<float>(), 5);
    }
}
