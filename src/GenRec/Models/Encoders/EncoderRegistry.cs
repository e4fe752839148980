using GenRec.Configuration;
using GenRec.Models.Preprocessors;

namespace GenRec.Models.Encoders;

/// <summary>
/// Every sequence encoder by its config name, with what a config may leave out: the input preprocessor and the start of
/// the position table that the encoder's reference code uses. A new encoder is one class and one line here; the encoder
/// tests run over every entry.
/// </summary>
internal static class EncoderRegistry
{
    /// <summary>
    /// All encoders: the research code's SASRec (generative-recommenders, non-affine norms) and the earlier affine
    /// variant, HSTU (generative-recommenders' re-initialisation), GRU4Rec (no position table; GenRec's and LLM-ESR's research
    /// code's) and BERT4Rec (BERT's init).
    /// </summary>
    public static readonly IReadOnlyList<EncoderEntry> All =
    [
        new("sasrec", config => new SasRecEncoder(config, reference: true), PreprocessorKind.Positional, PositionInit.InverseSqrtDim),
        new("sasrec_affine", config => new SasRecEncoder(config, reference: false), PreprocessorKind.Positional, PositionInit.InverseSqrtDim),
        new("hstu", config => new HstuEncoder(config), PreprocessorKind.Positional, PositionInit.XavierNormal),
        new("gru4rec", config => new Gru4RecEncoder(config), PreprocessorKind.Plain, PositionInit.Bert),
        new("gru4rec_reference", config => new Gru4RecEncoder(config, reference: true), PreprocessorKind.Plain, PositionInit.Bert),
        new("bert4rec", config => new Bert4RecEncoder(config), PreprocessorKind.Positional, PositionInit.Bert),
    ];

    public static IEnumerable<string> Names => All.Select(e => e.Name);

    /// <summary>The entry named <paramref name="name"/>, or null.</summary>
    public static EncoderEntry? Find(string name) => All.FirstOrDefault(e => e.Name == name);

    /// <summary>The entry named <paramref name="name"/>; an unknown name is an error that lists the known ones.</summary>
    public static EncoderEntry Get(string name) =>
        Find(name) ?? throw new ArgumentException($"unknown encoder '{name}' (available: {string.Join(", ", Names)})");
}

/// <summary>One encoder kind: its config name, its constructor, and its default preprocessor and position-table start.</summary>
internal sealed record EncoderEntry(string Name, Func<ModelConfig, SequenceEncoder> Create, PreprocessorKind Preprocessor, PositionInit PositionInit);
