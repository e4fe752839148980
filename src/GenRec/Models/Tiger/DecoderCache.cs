using static TorchSharp.torch;

namespace GenRec.Models.Tiger;

/// <summary>
/// What incremental decoding keeps between steps (beam search): per decoder layer, the encoder
/// memory's cross-attention keys and values (projected once per search, shared by each user's K rows)
/// and the self-attention keys and values of the tokens decoded so far (one row per beam).
/// </summary>
internal sealed class DecoderCache
{
    private readonly Tensor?[] selfKeys;
    private readonly Tensor?[] selfValues;

    public DecoderCache(IReadOnlyList<(Tensor Keys, Tensor Values)> cross, Tensor memoryMask)
    {
        Cross = cross;
        MemoryMask = memoryMask;
        selfKeys = new Tensor?[cross.Count];
        selfValues = new Tensor?[cross.Count];
    }

    /// <summary>Per layer: memory keys and values, [B, H, S, dh] each.</summary>
    public IReadOnlyList<(Tensor Keys, Tensor Values)> Cross { get; }

    /// <summary>Memory key mask [B, 1, S].</summary>
    public Tensor MemoryMask { get; }

    /// <summary>Decoder tokens cached so far (the next one sits at this position).</summary>
    public long Length => selfKeys.Length == 0 || selfKeys[0] is null ? 0 : selfKeys[0]!.shape[2];

    /// <summary>Appends one token's self-attention keys/values [R, H, 1, dh] to layer <paramref name="layer"/>; returns all of them, [R, H, Length + 1, dh].</summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor keys, Tensor values)
    {
        selfKeys[layer] = selfKeys[layer] is { } k ? cat([k, keys], dim: 2) : keys;
        selfValues[layer] = selfValues[layer] is { } v ? cat([v, values], dim: 2) : values;
        return (selfKeys[layer]!, selfValues[layer]!);
    }

    /// <summary>Keeps, for each new row, the cached states of row <c>rows[i]</c> (beams continue from their parents): rows [R] int64.</summary>
    public void Reorder(Tensor rows)
    {
        for (var layer = 0; layer < selfKeys.Length; layer++)
        {
            selfKeys[layer] = selfKeys[layer]?.index_select(0, rows);
            selfValues[layer] = selfValues[layer]?.index_select(0, rows);
        }
    }
}
