using static TorchSharp.torch;

namespace GenRec.Tests;

/// <summary>The per-test tensor scope keeps a synchronous test's tensors referenced while it runs; detached ones stay usable.</summary>
public class TensorScopePerTestTests
{
    [Fact]
    public void ATestsTensorsAreHeldByItsScope()
    {
        var made = ones(3);
        Assert.NotNull(CurrentDisposeScope);                                               // the test's own scope
        Assert.Contains(made, CurrentDisposeScope!.DisposablesView);
    }

    [Fact]
    public void DetachedTensorsStayValidAfterTheirScopeEnds()
    {
        Tensor t;
        using (var scope = NewDisposeScope())
        {
            t = ones(2) * 3;
            scope.Detach([.. scope.DisposablesView]);
        }

        Assert.False(t.IsInvalid);
        Assert.Equal(6f, t.sum().item<float>());
    }
}
