using GenRec.Configuration;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenRec.Models.SemanticIds;

/// <summary>
/// RQ-VAE: <c>z = Encoder(x)</c> (MLP, ReLU), residual quantisation of z, <c>x^ = Decoder(q)</c>
/// (the mirrored MLP). Loss = reconstruction (squared error summed over dimensions, mean over the
/// batch) + the quantiser's codebook and commitment terms.
/// </summary>
internal sealed class RqVae : nn.Module
{
    private readonly Sequential encoder;
    private readonly Sequential decoder;

    public RqVae(int inputDim, RqVaeConfig config) : base(nameof(RqVae))
    {
        Config = config;
        var widths = new[] { inputDim }.Concat(config.HiddenDims).Append(config.LatentDim).ToArray();
        encoder = Mlp(widths, config.Dropout);
        decoder = Mlp([.. widths.Reverse()], config.Dropout);
        Quantizer = new ResidualQuantizer(config.Levels, config.CodebookSize, config.LatentDim, config.Beta, config.RotationTrick);
        RegisterComponents();
    }

    public RqVaeConfig Config { get; }

    public ResidualQuantizer Quantizer { get; }

    // x [B, in] -> latent [B, d]
    public Tensor Encode(Tensor x) => encoder.forward(x);

    /// <summary>x [B, in] -> (reconstruction loss, quantiser loss, codes [B, L], residuals [L, B, d]).</summary>
    public (Tensor Reconstruction, Tensor Quantization, Tensor Codes, Tensor Residuals) Forward(Tensor x)
    {
        var z = encoder.forward(x);                                                      // [B, d]
        var (quantized, codes, rqLoss, residuals) = Quantizer.Forward(z, training ? Config.GumbelTemperature : 0);
        var reconstruction = decoder.forward(quantized);                                 // [B, in]
        var reconstructionLoss = (reconstruction - x).pow(2).sum(1).mean();
        return (reconstructionLoss, rqLoss, codes, residuals);
    }

    private static Sequential Mlp(int[] widths, double dropout)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (var i = 0; i < widths.Length - 1; i++)
        {
            layers.Add(($"linear{i}", nn.Linear(widths[i], widths[i + 1])));
            if (i < widths.Length - 2)
            {
                layers.Add(($"relu{i}", nn.ReLU()));
                if (dropout > 0)
                {
                    layers.Add(($"dropout{i}", nn.Dropout(dropout)));
                }
            }
        }

        return nn.Sequential(layers);
    }
}
