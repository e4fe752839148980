using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Models;

/// <summary>Finds weights that hold NaN or infinity (a checkpoint that must not be served).</summary>
internal static class NonFiniteParameters
{
    /// <summary>The name of the module's first parameter holding NaN or infinity, or null when all are finite.</summary>
    public static string? FirstNonFiniteParameter(this nn.Module module)
    {
        using var _ = no_grad();
        foreach (var (name, parameter) in module.named_parameters())
        {
            using var finite = isfinite(parameter).all();
            if (!finite.item<bool>())
            {
                return name;
            }
        }

        return null;
    }
}
