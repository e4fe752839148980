using GenRec.Configuration;
using GenRec.Models.SemanticIds;
using GenRec.Training.SemanticIds;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Tests.SemanticIds;

/// <summary>Residual quantisation against brute force, collision codes, ID metrics, k-means and RQ-VAE training.</summary>
public class RqVaeTests
{
    [Fact]
    public void QuantiserPicksNearestCodewordsAndResidualsAreExact()
    {
        manual_seed(1);
        var quantizer = new ResidualQuantizer(levels: 3, codebookSize: 7, dim: 4, beta: 0.25, rotationTrick: false);
        quantizer.eval();
        var z = randn(9, 4);
        var (quantized, codes, _, residuals) = quantizer.Forward(z);
        var books = quantizer.Codebooks.detach();
        var residual = z.clone();
        for (var level = 0; level < 3; level++)
        {
            Assert.True(residuals[level].allclose(residual, rtol: 0, atol: 1e-6));
            for (var b = 0; b < 9; b++)
            {
                // Brute force: the codeword with the smallest Euclidean distance, by an explicit loop.
                var best = -1;
                var bestDistance = double.MaxValue;
                for (var k = 0; k < 7; k++)
                {
                    double distance = 0;
                    for (var d = 0; d < 4; d++)
                    {
                        distance += Math.Pow(residual[b, d].item<float>() - books[level, k, d].item<float>(), 2);
                    }

                    if (distance < bestDistance)
                    {
                        (best, bestDistance) = (k, distance);
                    }
                }

                Assert.Equal(best, codes[b, level].item<long>());
            }

            residual = residual - books[level].index_select(0, codes[.., level]);
        }

        // sum of chosen codewords + final residual == z, and the straight-through output equals the quantised sum.
        var sum = Enumerable.Range(0, 3).Select(l => books[l].index_select(0, codes[.., l])).Aggregate((a, b) => a + b);
        Assert.True((sum + residual).allclose(z, rtol: 0, atol: 1e-5));
        Assert.True(quantized.allclose(sum, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void RotationTrickKeepsTheValueAndPassesGradients()
    {
        manual_seed(2);
        var quantizer = new ResidualQuantizer(levels: 2, codebookSize: 5, dim: 3, beta: 0.25, rotationTrick: true);
        var straight = new ResidualQuantizer(levels: 2, codebookSize: 5, dim: 3, beta: 0.25, rotationTrick: false);
        straight.SetCodebook(0, quantizer.Codebooks[0].detach());
        straight.SetCodebook(1, quantizer.Codebooks[1].detach());
        var z = randn(6, 3, requires_grad: true);
        var (rotated, _, _, _) = quantizer.Forward(z);
        var (copied, _, _, _) = straight.Forward(z);
        Assert.True(rotated.allclose(copied, rtol: 0, atol: 1e-5));
        rotated.pow(2).sum().backward();
        Assert.True(z.grad is not null && z.grad.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void CollisionCodeMakesEveryIdUniqueInItemOrder()
    {
        int[][] codes = [[1, 2, 3], [1, 2, 3], [0, 0, 0], [1, 2, 3], [0, 0, 1]];
        var table = SemanticIdTable.FromCodes(codes, codebookSize: 4);
        Assert.Equal([1, 2, 3, 0], table.Ids[1]);
        Assert.Equal([1, 2, 3, 1], table.Ids[2]);
        Assert.Equal([0, 0, 0, 0], table.Ids[3]);
        Assert.Equal([1, 2, 3, 2], table.Ids[4]);
        Assert.Equal(3, table.CollisionCodes);
        Assert.Equal(5, table.Ids.Skip(1).Select(i => string.Join(",", i)).Distinct().Count());

        var before = SemanticIdTable.Measure(codes, 4);
        Assert.Equal(3 / 5.0, before.PUniqueIds, 10);
        Assert.Equal(3, before.MaxIdDuplicates);
        Assert.Equal([2 / 4.0, 2 / 4.0, 3 / 4.0], before.Usage);
        var p = new[] { 2 / 5.0, 3 / 5.0 };
        Assert.Equal(-p.Sum(x => x * Math.Log2(x)), before.Entropy[0], 10);
        Assert.Equal(1.0, SemanticIdTable.Measure(table.Ids.Skip(1).ToArray(), 4).PUniqueIds);
    }

    [Fact]
    public void ItemsThatArriveLaterTakeTheNextFreeCollisionCodesAndChangeNoEarlierId()
    {
        int[][] codes = [[1, 2, 3], [1, 2, 3], [0, 0, 0], [1, 2, 3], [0, 0, 1]];
        var table = SemanticIdTable.FromCodes(codes, codebookSize: 4, arrivedLater: new HashSet<int> { 1, 3 });
        var earlier = SemanticIdTable.FromCodes([codes[1], codes[3], codes[4]], codebookSize: 4);
        Assert.Equal([1, 2, 3, 0], table.Ids[2]);                       // the earlier items number first, in item order...
        Assert.Equal(earlier.Ids[1], table.Ids[2]);
        Assert.Equal(earlier.Ids[2], table.Ids[4]);                     // ...exactly as without the later ones
        Assert.Equal(earlier.Ids[3], table.Ids[5]);
        Assert.Equal([1, 2, 3, 2], table.Ids[1]);                       // then the later ones: the next free code at their codes
        Assert.Equal([0, 0, 0, 0], table.Ids[3]);
        Assert.Equal(3, table.CollisionCodes);
    }

    [Fact]
    public void NewItemsAreCodedByTheFrozenModelWithTheTrainingItemsScaling()
    {
        manual_seed(5);
        var n = 300;
        var clusters = randn(20, 16) * 3;
        var data = (clusters.index_select(0, randint(0, 20, [n])) + (randn(n, 16) * 0.3)).contiguous().data<float>().ToArray();
        var config = new RqVaeConfig { HiddenDims = [32], LatentDim = 8, Levels = 2, CodebookSize = 16, Epochs = 20, BatchSize = 128, LearningRate = 3e-3 };
        var (model, codes, _) = RqVaeTrainer.Train(data, n, 16, config);
        // Copies of trained items, as new items: the same codes, since they are scaled as the training items were.
        int[] copied = [0, 7, 150, 299];
        var copies = copied.SelectMany(i => data.Skip(i * 16).Take(16)).ToArray();
        var coded = RqVaeTrainer.EncodeNew(model, data, n, copies, copied.Length, 16);
        Assert.Equal(copied.Select(i => codes[i]).ToArray(), coded);
        // Scaled by their own statistics instead (four rows, not the training items), they would be coded otherwise.
        var own = RqVaeTrainer.EncodeNew(model, copies, copied.Length, copies, copied.Length, 16);
        Assert.NotEqual(coded, own);
    }

    [Fact]
    public void KMeansFindsSeparatedClusters()
    {
        manual_seed(3);
        var centres = tensor(new float[] { 0, 0, 10, 10, -10, 10, 10, -10 }).view(4, 2);
        var points = cat(Enumerable.Range(0, 4).Select(c => centres[c].unsqueeze(0) + (randn(50, 2) * 0.3)).ToArray());
        var found = KMeans.Fit(points, 4, iterations: 10, new Generator(5));
        for (var c = 0; c < 4; c++)
        {
            var nearest = (found - centres[c]).pow(2).sum(1).min().item<float>();
            Assert.True(nearest < 0.1, $"centre {c}: {nearest}");
        }
    }

    [Fact]
    public void TrainingReconstructsAndSpreadsCodes()
    {
        manual_seed(4);
        var n = 400;
        var clusters = randn(40, 16) * 3;
        var data = (clusters.index_select(0, randint(0, 40, [n])) + randn(n, 16)).contiguous().data<float>().ToArray();
        var config = new RqVaeConfig { HiddenDims = [32], LatentDim = 8, Levels = 2, CodebookSize = 16, Epochs = 30, BatchSize = 128, LearningRate = 3e-3 };
        var (_, codes, log) = RqVaeTrainer.Train(data, n, 16, config);
        Assert.True(log[^1].ReconstructionLoss < log[0].ReconstructionLoss * 0.8, $"{log[0].ReconstructionLoss} -> {log[^1].ReconstructionLoss}");
        Assert.All(log[^1].Usage, u => Assert.True(u >= 0.8, $"usage {u}"));
        Assert.True(log[^1].PUniqueIds > 0.15, $"p_unique {log[^1].PUniqueIds}"); // 40 clusters of 10 points: at least 60 distinct IDs
        var (_, again, _) = RqVaeTrainer.Train(data, n, 16, config);
        Assert.Equal(codes, again); // seeded
    }
}
