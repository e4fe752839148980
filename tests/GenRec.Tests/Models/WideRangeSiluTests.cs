using GenRec.Models.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Tests.Models;

/// <summary>The CPU SiLU that keeps exp in its fast range equals SiLU, values and gradients, for inputs of any size.</summary>
public sealed class WideRangeSiluTests
{
    [Fact]
    public void EqualsSiluAndItsGradientFromTinyToHugeInputs()
    {
        using var scope = NewDisposeScope();
        float[] values = [-1e6f, -1000, -200, -88.8f, -80.5f, -80, -79.5f, -20, -1, -1e-3f, 0, 1e-3f, 1, 20, 79.5f, 80, 80.5f, 88.8f, 200, 1000, 1e6f];
        var x = tensor(values).requires_grad_();
        var reference = tensor(values).requires_grad_();

        var y = WideRangeSilu.Apply(x);
        var expected = nn.functional.silu(reference);
        y.sum().backward();
        expected.sum().backward();

        var (got, want) = (y.detach().data<float>().ToArray(), expected.detach().data<float>().ToArray());
        var (gotGrad, wantGrad) = (x.grad!.data<float>().ToArray(), reference.grad!.data<float>().ToArray());
        for (var i = 0; i < values.Length; i++)
        {
            Assert.True(Math.Abs(got[i] - want[i]) <= 1e-6 * Math.Max(1, Math.Abs(want[i])), $"SiLU({values[i]}): {got[i]} vs {want[i]}");
            Assert.True(Math.Abs(gotGrad[i] - wantGrad[i]) <= 1e-6, $"SiLU'({values[i]}): {gotGrad[i]} vs {wantGrad[i]}");
        }

        Assert.Equal(1e6f, got[^1]);                                             // above the threshold: x itself
        Assert.True(Math.Abs(got[0]) < 1e-30f);                                  // far below: zero
    }

    [Fact]
    public void EqualsSiluOnRandomAttentionSizedLogits()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(7);
        var logits = randn([2, 2, 16, 16], generator: generator) * 60;          // a third of the entries past +-80
        Assert.Equal(0.0, (WideRangeSilu.Apply(logits) - nn.functional.silu(logits)).abs().max().item<float>(), 5);
    }
}
