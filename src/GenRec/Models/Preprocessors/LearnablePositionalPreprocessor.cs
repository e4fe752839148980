using GenRec.Configuration;
using GenRec.Models.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Models.Preprocessors;

/// <summary>
/// Input preprocessing of generative-recommenders' <c>LearnablePositionalEmbeddingInputFeaturesPreprocessor</c>:
/// <c>x = emb(ids) * sqrt(D) + pos_emb(position)</c>, dropout, then padding positions zeroed.
/// Without positions (<c>plain</c>, for GRU4Rec) it is <c>x = emb(ids)</c>, dropout, padding zeroed.
/// The rated variant adds a learned rating embedding to the item embedding before scaling
/// (added rather than concatenated as in the research code, so the encoder width stays D).
/// The position table starts as the encoder's reference code starts it (<see cref="PositionInit"/>).
/// </summary>
internal sealed class LearnablePositionalPreprocessor : InputPreprocessor
{
    private readonly TorchSharp.Modules.Embedding? positions;
    private readonly TorchSharp.Modules.Embedding? ratings;
    private readonly FastDropout dropout;
    private readonly double scale;

    public LearnablePositionalPreprocessor(int maxLength, int dim, double dropoutRate, bool usePositions = true, bool useRatings = false, PositionInit positionInit = PositionInit.Bert) : base(useRatings ? "rated" : usePositions ? "positional" : "plain")
    {
        if (usePositions)
        {
            positions = nn.Embedding(maxLength, dim);
            using (no_grad())
            {
                if (positionInit == PositionInit.XavierNormal)
                {
                    nn.init.xavier_normal_(positions.weight!);
                }
                else
                {
                    var std = positionInit == PositionInit.InverseSqrtDim ? Math.Sqrt(1.0 / dim) : 0.02;
                    TruncatedNormal.Fill(positions.weight!, mean: 0, std: std, a: -2 * std, b: 2 * std);
                }
            }
        }

        if (useRatings)
        {
            ratings = nn.Embedding(RatingLevels.Count + 1, dim, padding_idx: 0);
            using (no_grad())
            {
                TruncatedNormal.Fill(ratings.weight!, mean: 0, std: 0.02, a: -0.04, b: 0.04);
                ratings.weight![0].zero_();
            }
        }

        dropout = new FastDropout(dropoutRate);
        scale = usePositions ? Math.Sqrt(dim) : 1.0;
        RegisterComponents();
    }

    public override bool UsesRatings => ratings is not null;

    // ids: [B, N], itemEmbeddings: [B, N, D] -> tokens [B, N, D]
    public override Preprocessed Apply(SequenceInput input, Tensor itemEmbeddings)
    {
        var valid = input.Ids.ne(0);                                                   // [B, N]
        var x = itemEmbeddings;
        if (ratings is not null)
        {
            x = x + ratings.forward(RequireRatings(input));                            // [B, N, D]
        }

        x = x * scale;
        if (positions is not null)
        {
            using var positionIds = arange(itemEmbeddings.shape[1], device: itemEmbeddings.device); // [N]
            x = x + positions.forward(positionIds).unsqueeze(0);
        }

        x = dropout.forward(x);
        return new Preprocessed(x * valid.unsqueeze(-1).to(x.dtype), valid, input.Timestamps);
    }
}
