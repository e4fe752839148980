using static TorchSharp.torch;

namespace GenRec.Models.Tiger;

/// <summary>
/// TIGER's decoding state in a search: the encoder ran once; the decoder starts from its start token, one row per input row,
/// and each later token passes the decoder once (<see cref="DecoderCache"/>).
/// </summary>
internal sealed class TigerSearch(TigerModel model, DecoderCache cache, long inputRows) : IBeamDecoder
{
    public Tensor Next(Tensor? lastTokens) =>
        model.DecodeNext(lastTokens ?? full(inputRows, SemanticIdVocabulary.DecoderStart, dtype: int64, device: cache.MemoryMask.device), cache);

    public void Reorder(Tensor rows) => cache.Reorder(rows);
}
