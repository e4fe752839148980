namespace GenRec.Configuration;

/// <summary>Numerics of matrix products (<c>compute.precision</c>).</summary>
public enum Precision
{
    /// <summary>32-bit floats.</summary>
    Fp32,

    /// <summary>bfloat16 products with fp32 accumulation and weights.</summary>
    Bf16,
}
