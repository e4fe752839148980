using static TorchSharp.torch;

namespace GenRec.Models.Tiger;

/// <summary>
/// One search's decoding state (<see cref="SemanticIdGenerator.StartSearch"/>): next-code logits row by row, one code per
/// step, with the rows of an input row kept together (rows <c>b * K .. b * K + K - 1</c> belong to input row b).
/// </summary>
internal interface IBeamDecoder
{
    /// <summary>
    /// Next-code logits [R, V'] (V' at most the vocabulary size: token ids index the columns). The first call takes null and
    /// answers one row per input row (the first code's distribution); later calls take the last step's codes as tokens [R].
    /// </summary>
    Tensor Next(Tensor? lastTokens);

    /// <summary>Row i continues from row <c>rows[i]</c> of the last step (beams continue from their parents): rows [R'] int64.</summary>
    void Reorder(Tensor rows);
}
