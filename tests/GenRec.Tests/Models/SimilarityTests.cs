using GenRec.Configuration;
using GenRec.Models;
using GenRec.Models.Similarity;
using GenRec.Training.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Tests.Models;

public class SimilarityTests
{
    [Fact]
    public void MixtureOfLogitsHasTheRightShapesAndMatchesALoop()
    {
        manual_seed(21);
        const int d = 6, pq = 2, px = 3, dc = 4;
        var mol = new MixtureOfLogits(d, pq, px, dc);
        var queries = randn(5, d);
        var items = randn(5, 7, d);
        var perRow = mol.PerRow(queries, items);
        Assert.Equal(new long[] { 5, 7 }, perRow.shape);
        var catalogue = randn(9, d);
        var shared = mol.Shared(queries, catalogue);
        Assert.Equal(new long[] { 5, 9 }, shared.shape);
        // Shared equals PerRow with the catalogue repeated for every query.
        Assert.True(allclose(shared, mol.PerRow(queries, catalogue.unsqueeze(0).expand(5, 9, d)), atol: 1e-5));
        Assert.True(shared.abs().max().item<float>() <= 1f + 1e-5f);   // a convex mix of cosines

        // One pair by hand: cosine logits of every (query component, item component), softmax gates.
        var p = mol.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter.detach());
        var q = queries[2];
        var x = catalogue[4];
        var qc = nn.functional.normalize(nn.functional.linear(q, p["queryComponents.weight"], p["queryComponents.bias"]).view(pq, dc), dim: -1);
        var xc = nn.functional.normalize(nn.functional.linear(x, p["itemComponents.weight"], p["itemComponents.bias"]).view(px, dc), dim: -1);
        var logits = new double[pq * px];
        for (var i = 0; i < pq; i++)
        {
            for (var j = 0; j < px; j++)
            {
                logits[(i * px) + j] = (qc[i] * xc[j]).sum().item<float>();
            }
        }

        var logitTensor = tensor(logits.Select(v => (float)v).ToArray());
        var gateLogits = nn.functional.linear(q, p["queryGate.weight"], p["queryGate.bias"])
            + nn.functional.linear(x, p["itemGate.weight"])
            + nn.functional.linear(logitTensor, p["logitGate.weight"]);
        var gates = gateLogits.softmax(0);
        var expected = (gates * logitTensor).sum().item<float>();
        Assert.Equal(expected, shared[2, 4].item<float>(), 5);
    }

    [Fact]
    public void MixtureOfLogitsTrainsThroughTheLoss()
    {
        manual_seed(22);
        var model = new SequentialRecommender(new ModelConfig { EmbeddingDim = 8, MaxSequenceLength = 6, FfnHiddenDim = 8, Similarity = SimilarityKind.Mol, MolComponentDim = 4 }, numItems: 30);
        Assert.True(model.HasLearnedSimilarity);
        var states = model.forward(tensor(new long[] { 1, 2, 3, 4, 5, 6, 7, 0 }).view(2, 4)); // [2, 4, D]
        var flat = states.view(-1, 8)[..6];
        var loss = new SampledSoftmaxLoss(10, 0.05, NegativeSampling.Local).Compute(model, flat, tensor(new long[] { 2, 3, 4, 6, 7, 8 }), new Generator(3));
        loss.backward();
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (name.StartsWith("mixtureOfLogits", StringComparison.Ordinal) || name.StartsWith("encoder", StringComparison.Ordinal))
            {
                Assert.True(parameter.grad is not null && parameter.grad.abs().sum().item<float>() > 0, $"no gradient reaches {name}");
            }
        }

        var scores = model.ScoreAll(flat);
        Assert.Equal(new long[] { 6, 31 }, scores.shape);
    }

    [Fact]
    public void LocalNegativesFromTheCatalogueEqualGatheredEmbeddings()
    {
        manual_seed(23);
        var config = new ModelConfig { EmbeddingDim = 8, MaxSequenceLength = 6, FfnHiddenDim = 8 };
        var model = new SequentialRecommender(config, numItems: 40);
        var ids = tensor(new long[] { 1, 2, 3, 4, 5, 6, 7, 0 }).view(2, 4);
        var positives = tensor(new long[] { 2, 3, 4, 6, 7, 8 });
        Tensor Run(bool catalogue, out Tensor gradient)
        {
            model.zero_grad();
            model.eval();
            var states = model.forward(ids).view(-1, 8)[..6];
            var loss = new SampledSoftmaxLoss(50, 0.05, NegativeSampling.Local) { GatherFromCatalogue = catalogue }.Compute(model, states, positives, new Generator(5));
            loss.backward();
            gradient = model.named_parameters().First(p => p.name.StartsWith("items", StringComparison.Ordinal)).parameter.grad!.clone();
            return loss.detach();
        }

        var gathered = Run(false, out var gatheredGrad);
        var fromCatalogue = Run(true, out var catalogueGrad);
        Assert.Equal(gathered.item<float>(), fromCatalogue.item<float>(), 5);
        Assert.True(allclose(gatheredGrad, catalogueGrad, rtol: 1e-4, atol: 1e-5), $"gradients differ by {(gatheredGrad - catalogueGrad).abs().max().item<float>()}");
    }
}
