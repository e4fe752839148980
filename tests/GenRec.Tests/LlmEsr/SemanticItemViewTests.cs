using GenRec.Models.LlmEsr;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Tests.LlmEsr;

public class SemanticItemViewTests
{
    /// <summary>
    /// The adapter runs as one composed affine map; it must give what its two layers give one after the other,
    /// and the same gradient to each of the four parameters (W_down, b_down, W_up, b_up).
    /// </summary>
    [Fact]
    public void ComposedAdapterMatchesTheTwoLayersInValueAndGradient()
    {
        torch.manual_seed(5);
        const int items = 9, semanticDim = 12, dim = 4;
        using var view = new SemanticItemView(items + 2, semanticDim, dim);
        var rng = new Random(3);
        view.Load(Enumerable.Range(0, (items + 1) * semanticDim).Select(_ => (float)((rng.NextDouble() * 2) - 1)).ToArray(), items);
        var ids = tensor(new long[] { 1, 4, 4, 0, 9, 2 }, [2, 3]);
        using var upstream = randn(2, 3, dim);                                     // dL/d(output) [B, N, D]

        Tensor[] Gradients(Func<Tensor, Tensor> adapter, out Tensor output)
        {
            view.zero_grad();
            var text = view.Table.index_select(0, ids.reshape(-1)).view(2, 3, semanticDim); // [B, N, Ds]
            output = adapter(text);
            (output * upstream).sum().backward();
            return view.parameters().Where(p => p.requires_grad).Select(p => p.grad!.clone()).ToArray();
        }

        var composedGradients = Gradients(view.Adapt, out var composed);
        var layeredGradients = Gradients(view.AdaptLayerByLayer, out var layered);
        Assert.Equal([2L, 3, dim], composed.shape);
        Assert.True(composed.allclose(layered, 1e-5, 1e-6), "the composed map differs from the two layers");
        Assert.Equal(4, composedGradients.Length);
        for (var i = 0; i < composedGradients.Length; i++)
        {
            Assert.True(composedGradients[i].abs().sum().item<float>() > 0, $"parameter {i} got no gradient");
            Assert.True(composedGradients[i].allclose(layeredGradients[i], 1e-5, 1e-6), $"parameter {i}: gradients differ");
        }

        // The padding row's text is zero: the adapter maps it to the composed bias, W_up b_down + b_up, by hand.
        var padding = view.forward(tensor(new long[] { 0 }));                      // [1, D]
        var parameters = view.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var expected = parameters["up.weight"].matmul(parameters["down.bias"]) + parameters["up.bias"];
        Assert.True(padding[0].allclose(expected, 1e-6, 1e-6));
    }
}
