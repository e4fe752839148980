using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenRec.Training;

/// <summary>One optimisation step shared by the trainers: backward, optional gradient clipping, step, and a clear error when the loss is not finite.</summary>
internal static class OptimizerStep
{
    public static float Apply(OptimizerHelper optimizer, Tensor loss, int epoch, int step, nn.Module? clipModule = null, double maxGradNorm = 0)
    {
        optimizer.zero_grad();
        loss.backward();
        if (clipModule is not null && maxGradNorm > 0)
        {
            nn.utils.clip_grad_norm_(clipModule.parameters(), maxGradNorm);
        }

        optimizer.step();
        var value = loss.item<float>();
        return float.IsFinite(value) ? value : throw new InvalidOperationException($"training diverged: loss is {value} at epoch {epoch}, step {step}");
    }
}
