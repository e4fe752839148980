using GenRec.Configuration;
using GenRec.Models.Similarity;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Models.Modules;

/// <summary>
/// The query of a user with no item yet, from the user's features alone (cold start by features):
/// <c>q = b + sum_f E_f[v_f]</c> ([B, D']), scored like any user state against the item table; an unknown value
/// (row 0) adds nothing, so a user with no known feature gets <c>b</c>, the learned popularity direction. The norm of
/// <c>q</c> is its own learned inverse temperature.
/// <para>
/// Trained beside the sequence model on every supervised next item of each training window:
/// <c>L = -(1/M) sum_m log softmax_i(s(q_{u(m)}, sg(e_i)))[pos_m]</c> over items 1..I, with the item embeddings
/// detached (<c>sg</c>): the query learns which items users with these features take, and no gradient of this loss
/// reaches the sequence model (with the dot similarity; a learned similarity's own parameters do receive it). Without
/// it, an empty history is answered from the last feature token's state, which no loss trains, since feature tokens
/// never predict an item (see <see cref="FeatureConfig"/>).
/// </para>
/// </summary>
internal sealed class ColdStartQuery : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.ModuleList<TorchSharp.Modules.Embedding> tables = new();
    private readonly TorchSharp.Modules.Parameter bias;

    public ColdStartQuery(IReadOnlyList<int> cardinalities, int dim) : base(nameof(ColdStartQuery))
    {
        foreach (var cardinality in cardinalities)
        {
            tables.Add(UserFeatureTokens.NewTable(cardinality, dim));
        }

        bias = new TorchSharp.Modules.Parameter(zeros(dim));
        RegisterComponents();
    }

    // values: [B, F] -> queries [B, D']
    public override Tensor forward(Tensor values)
    {
        var query = bias.unsqueeze(0).expand(values.shape[0], -1);                                        // [B, D']
        for (var f = 0; f < tables.Count; f++)
        {
            query = query + tables[f].forward(values.select(1, f));                                        // + E_f[v_f]
        }

        return query;
    }

    /// <summary>
    /// The summed negative log-likelihood of every target: values [B, F], targets [B, N] (0: none), the item table
    /// [I + 1, D'] (padding row 0; detached here) -> scalar. Divide by the number of targets for the mean.
    /// </summary>
    public Tensor SummedLoss(Tensor values, Tensor targets, Tensor items, ISimilarity similarity)
    {
        var queries = forward(values);                                                                     // [B, D']
        var logits = similarity.Shared(queries, items.detach().to(queries.dtype)).to_type(float32);        // [B, I + 1]
        var logProbabilities = logits[.., 1..].log_softmax(1);                                             // [B, I]: padding dropped
        var counts = zeros(logits.shape, dtype: float32, device: logits.device)
            .scatter_add_(1, targets, ones(targets.shape, dtype: float32, device: targets.device))[.., 1..]; // [B, I]: each row's targets, counted
        return -(counts * logProbabilities).sum();
    }
}
