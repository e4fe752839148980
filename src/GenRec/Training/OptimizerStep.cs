using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenRec.Training;

/// <summary>
/// One optimisation step shared by the trainers: backward, the ranks' gradients summed (data parallel), optional
/// gradient clipping, step. Nothing
/// here waits for the device: the loss comes back as a detached scalar tensor, which
/// <see cref="EpochLoop"/> reads (and checks for divergence) only at its logging interval.
/// </summary>
internal static class OptimizerStep
{
    /// <param name="afterBackward">Runs between backward and clipping (data-parallel training sums the ranks' gradients there).</param>
    public static Tensor Apply(OptimizerHelper optimizer, Tensor loss, nn.Module? clipModule = null, double maxGradNorm = 0, Action? afterBackward = null)
    {
        optimizer.zero_grad();
        loss.backward();
        afterBackward?.Invoke();
        if (clipModule is not null && maxGradNorm > 0)
        {
            ClipGradNorm(clipModule.parameters(), maxGradNorm);
        }

        optimizer.step();
        return loss.detach().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// g &lt;- g * min(1, c / (||g||_2 + 1e-6)) over all gradients together, as torch.nn.utils.clip_grad_norm_,
    /// computed on the device (TorchSharp's clip_grad_norm_ returns the norm as a number, which waits for it).
    /// </summary>
    public static void ClipGradNorm(IEnumerable<Parameter> parameters, double maxNorm)
    {
        using var scope = NewDisposeScope();
        var grads = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToArray();
        if (grads.Length == 0)
        {
            return;
        }

        var total = stack(grads.Select(g => g.detach().norm()).ToArray()).norm();          // scalar ||g||_2
        var coefficient = (maxNorm / (total + 1e-6)).clamp_max(1.0);
        foreach (var g in grads)
        {
            g.mul_(coefficient);
        }
    }
}
