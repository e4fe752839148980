using GenRec.Configuration;
using GenRec.Models;
using GenRec.Training;
using static TorchSharp.torch;

namespace GenRec.Tests.Training;

public class LengthGroupsTests
{
    private static readonly int[][] Sequences = [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [11, 12, 13], [4, 6, 8, 10, 12, 14, 16], [3, 9], [2, 5, 7, 11, 13, 17, 19, 15, 1], [8, 7, 6, 5, 4, 3]];

    [Fact]
    public void SplitSortsByLengthIntoNearlyEqualGroups()
    {
        int[] rows = [0, 1, 2, 3, 4, 5];
        var groups = LengthGroups.Split(rows, u => Sequences[u].Length, 4);
        Assert.Equal([[3], [1, 5], [2], [4, 0]], groups);
        Assert.Equal([rows], LengthGroups.Split(rows, u => Sequences[u].Length, 1)); // one group keeps the order
        Assert.Equal(6, LengthGroups.Split(rows, u => Sequences[u].Length, 10).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => LengthGroups.Split(rows, u => 1, 0));
    }

    [Theory]
    [InlineData("sasrec")]
    [InlineData("hstu")]
    [InlineData("gru4rec")]
    [InlineData("bert4rec")]
    public void GroupsGiveTheStatesAndGradientsOfOnePaddedBatch(string encoder)
    {
        manual_seed(5);
        var model = new SequentialRecommender(new ModelConfig { Encoder = encoder, EmbeddingDim = 8, MaxSequenceLength = 8, FfnHiddenDim = 16, NumHeads = 2, Dropout = 0 }, numItems: 20);
        var weights = randn(8); // a fixed linear read-out of every supervised state
        int[] rows = [0, 1, 2, 3, 4, 5];

        var (padded, paddedGradients) = StatesAndGradients(model, [rows], weights);
        var (grouped, groupedGradients) = StatesAndGradients(model, LengthGroups.Split(rows, u => Sequences[u].Length, 3), weights);

        foreach (var row in rows)
        {
            Assert.True(allclose(padded[row], grouped[row], atol: 1e-5), $"{encoder}: states of row {row} differ");
        }

        for (var p = 0; p < paddedGradients.Length; p++)
        {
            Assert.True(allclose(paddedGradients[p], groupedGradients[p], rtol: 1e-4, atol: 1e-6), $"{encoder}: gradient {p} differs");
        }
    }

    // Per row: its supervised states [T, D]; and the gradients of sum(states . weights) over all rows.
    private static (Dictionary<int, Tensor> States, Tensor[] Gradients) StatesAndGradients(SequentialRecommender model, int[][] groups, Tensor weights)
    {
        model.zero_grad();
        var states = new Dictionary<int, Tensor>();
        var total = zeros(1);
        foreach (var group in groups)
        {
            var batch = SequenceBatcher.Autoregressive(group.Select(u => Sequences[u]).ToArray(), null, maxLength: 8);
            var output = model.forward(batch.Inputs); // [B, N, D]
            for (var b = 0; b < group.Length; b++)
            {
                var length = batch.Targets[b].ne(0).sum().item<long>();
                var supervised = output[b, ..(int)length];                 // [T, D]
                states[group[b]] = supervised.detach().clone();
                total = total + supervised.matmul(weights).sum();
            }
        }

        total.backward();
        return (states, model.parameters().Where(p => p.grad is not null).Select(p => p.grad!.clone()).ToArray());
    }
}
