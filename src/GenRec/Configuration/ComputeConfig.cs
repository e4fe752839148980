using GenRec.Compute;

namespace GenRec.Configuration;

/// <summary>
/// Where and in what precision a run computes (the <c>compute</c> section of every run config):
/// <c>device</c> auto | cpu | cuda | cuda:N (auto: CUDA when libtorch reports it, else the CPU);
/// <c>tf32</c>: TF32 tensor-core matmuls on GPUs that have them (fp32 storage, 10-bit mantissa products);
/// <c>precision</c>: fp32, or bf16 for the encoders' matrix products with loss and optimiser in fp32.
/// </summary>
public sealed record ComputeConfig
{
    /// <summary>Where to train: <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c> or <c>auto</c> (CUDA when present).</summary>
    public string Device { get; init; } = "auto";

    /// <summary>Whether CUDA matmuls may use TF32.</summary>
    public bool Tf32 { get; init; } = true;

    /// <summary>fp32 (default) or bf16 (<see cref="MixedPrecision"/>).</summary>
    public Precision Precision { get; init; } = Precision.Fp32;
}
