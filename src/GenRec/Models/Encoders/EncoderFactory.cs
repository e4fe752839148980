namespace GenRec.Models.Encoders;

/// <summary>Encoders by their config name.</summary>
internal static class EncoderFactory
{
    public static readonly string[] Names = ["sasrec", "sasrec_affine", "hstu", "gru4rec", "bert4rec"];

    public static SequenceEncoder Create(ModelConfig config) => config.Encoder switch
    {
        "sasrec" => new SasRecEncoder(config, reference: true),
        "sasrec_affine" => new SasRecEncoder(config, reference: false),
        "hstu" => new HstuEncoder(config),
        "gru4rec" => new Gru4RecEncoder(config),
        "bert4rec" => new Bert4RecEncoder(config),
        _ => throw new ArgumentException($"unknown encoder '{config.Encoder}' (available: {string.Join(", ", Names)})"),
    };
}
