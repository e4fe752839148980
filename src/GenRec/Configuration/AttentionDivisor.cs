namespace GenRec.Configuration;

/// <summary>What HSTU divides its SiLU attention by (<c>model.attention_divisor</c>).</summary>
public enum AttentionDivisor
{
    /// <summary>The padded maximum length (the research code).</summary>
    MaxLength,

    /// <summary>Each sequence's actual length.</summary>
    UserLength,
}
