using GenRec.Models.SemanticIds;

namespace GenRec.Configuration;

/// <summary>
/// RQ-VAE for semantic IDs (TIGER, Rajput et al. 2023): MLP encoder/decoder, residual quantisation
/// with <see cref="Levels"/> codebooks of <see cref="CodebookSize"/> codewords, commitment weight
/// 0.25, k-means initialisation. Hidden widths default to TIGER's 512-256-128 with a 32-d latent.
/// </summary>
internal sealed record RqVaeConfig
{
    public int[] HiddenDims { get; init; } = [512, 256, 128];

    public int LatentDim { get; init; } = 32;

    public int Levels { get; init; } = 3;

    public int CodebookSize { get; init; } = 256;

    /// <summary>Commitment loss weight (beta).</summary>
    public double Beta { get; init; } = 0.25;

    public double Dropout { get; init; }

    /// <summary>Initialise each level's codebook by k-means on that level's residuals of the data.</summary>
    public bool KMeansInit { get; init; } = true;

    /// <summary>Re-seed codewords no item used during an epoch with random residuals.</summary>
    public bool DeadCodeReset { get; init; } = true;

    /// <summary>Pass gradients through the quantiser with the rotation trick (Fifty et al., 2024) instead of the straight-through copy.</summary>
    public bool RotationTrick { get; init; }

    /// <summary>Gumbel-softmax temperature for soft code assignment during training (0: hard nearest codeword).</summary>
    public double GumbelTemperature { get; init; }

    public int Epochs { get; init; } = 300;

    public int BatchSize { get; init; } = 1024;

    public double LearningRate { get; init; } = 1e-3;

    public double WeightDecay { get; init; } = 1e-4;

    public int Seed { get; init; } = 42;
}
