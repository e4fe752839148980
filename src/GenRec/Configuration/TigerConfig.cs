using GenRec.Models.Tiger;

namespace GenRec.Configuration;

/// <summary>
/// TIGER's generative retrieval model (Rajput et al., 2023): a T5-style encoder-decoder with 4+4
/// layers, 6 heads of 64, d_model 128, FFN 1024, dropout 0.1; input = the user's last 20 items as
/// semantic-ID tokens after a hashed user token (2,000 buckets); output = the next item's semantic ID.
/// </summary>
internal sealed record TigerConfig
{
    /// <summary>
    /// encoder_decoder (TIGER, the default) or decoder_only (<see cref="DecoderOnlyGenerator"/>: <see cref="DecoderLayers"/>
    /// causal blocks over the history's code tokens, no encoder, so <see cref="EncoderLayers"/> must be 0).
    /// </summary>
    public GenerativeArchitecture Architecture { get; init; } = GenerativeArchitecture.EncoderDecoder;

    public int EncoderLayers { get; init; } = 4;

    public int DecoderLayers { get; init; } = 4;

    public int NumHeads { get; init; } = 6;

    public int HeadDim { get; init; } = 64;

    public int ModelDim { get; init; } = 128;

    public int FfnDim { get; init; } = 1024;

    public double Dropout { get; init; } = 0.1;

    /// <summary>Most recent history items in the input.</summary>
    public int MaxHistory { get; init; } = 20;

    public int UserBuckets { get; init; } = 2_000;

    /// <summary>
    /// Whether history items enter the encoder with their collision code (the ID's last code, which only
    /// tells apart items whose RQ-VAE codes collide). True as in the paper; false drops it from the input
    /// (one reproduction's choice: a quarter fewer encoder tokens with 3 + 1 codes). The decoder always
    /// generates the whole ID.
    /// </summary>
    public bool InputCollisionCode { get; init; } = true;

    /// <summary>
    /// parallel_codes: the cosine logits' temperature (RPG's Beauty setting, 0.03): logit of code c at digit j =
    /// cos(head_j(h), e_{j,c}) / temperature.
    /// </summary>
    public double Temperature { get; init; } = 0.03;

    /// <summary>
    /// parallel_codes: neighbours per item in the decoding graph (RPG: 200 on Beauty); 0 scores every item exactly
    /// instead of searching the graph.
    /// </summary>
    public int GraphEdges { get; init; }

    /// <summary>parallel_codes: propagation steps of the graph search (RPG: 3); its beam is <c>train.beams</c> wide.</summary>
    public int GraphSteps { get; init; } = 3;

    /// <summary>T5 relative position buckets and the distance beyond which they are shared.</summary>
    public int RelativeBuckets { get; init; } = 32;

    public int RelativeMaxDistance { get; init; } = 128;
}
