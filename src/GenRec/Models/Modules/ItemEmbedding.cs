using GenRec.Configuration;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Models.Modules;

/// <summary>
/// Item id embedding table [numItems + 1, D] with truncated-normal initialisation (std 0.02,
/// truncated at two standard deviations) and a zero, untrained padding row 0. Special tokens (BERT4Rec's
/// [mask]) get rows after the items and are never scored as items. With an item feature (<see cref="FeatureConfig"/>)
/// the embedding is <c>id(i) + feature(i)</c> (<c>sum</c>) or <c>feature(i)</c> alone (<c>categorical</c>).
/// </summary>
internal sealed class ItemEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Embedding table;
    private readonly int specialTokens;
    private readonly ItemFeatureEmbedding? feature;
    private readonly bool idsToo;

    public ItemEmbedding(int numItems, int dim, double std = 0.02, int specialTokens = 0, FeatureConfig? features = null) : base(nameof(ItemEmbedding))
    {
        if (features?.Item is not null)
        {
            if (features.ItemCardinality < 2 || features.ItemWidth < 1)
            {
                throw new ArgumentException("model.features: the item feature's cardinality and width come from the data; train through the trainer, which sets them");
            }

            feature = new ItemFeatureEmbedding(numItems + 1 + specialTokens, features.ItemWidth, features.ItemCardinality, dim);
        }

        idsToo = feature is null || features!.ItemMode == ItemFeatureMode.Sum;
        this.specialTokens = specialTokens;
        NumItems = numItems;
        Dim = dim;
        table = nn.Embedding(numItems + 1 + specialTokens, dim, padding_idx: 0);
        using (no_grad())
        {
            TruncatedNormal.Fill(table.weight!, mean: 0, std: std, a: -2 * std, b: 2 * std);
            table.weight![0].zero_();
        }

        RegisterComponents();
    }

    public int NumItems { get; private set; }

    public int Dim { get; }

    /// <summary>
    /// Adds items after the last one with the given rows [M, D] (ids NumItems + 1 onwards); special tokens move after them.
    /// An item feature would need the new items' feature values too, so a model with one refuses.
    /// </summary>
    public void Append(Tensor rows)
    {
        if (feature is not null)
        {
            throw new NotSupportedException("adding items to a model with an item feature needs their feature values; not supported yet");
        }

        if (rows.dim() != 2 || rows.shape[1] != Dim)
        {
            throw new ArgumentException($"new item rows must be [M, {Dim}]; got [{string.Join(", ", rows.shape)}]");
        }

        using var _ = no_grad();
        GrowRows(table.weight!, NumItems, rows);
        NumItems += (int)rows.shape[0];
    }

    /// <summary>
    /// Grows a table [N + 1 + S, D] in place (the same parameter object, so every reference to it stays valid) to
    /// [N + 1 + M + S, D]: the first N + 1 rows kept, the new rows [M, D] after them, the S special rows moved to the end.
    /// </summary>
    internal static void GrowRows(Tensor table, int numItems, Tensor rows)
    {
        using var known = table.narrow(0, 0, numItems + 1);                                     // [N + 1, D]
        using var special = table.narrow(0, numItems + 1, table.shape[0] - numItems - 1);      // [S, D]
        using var added = rows.to(table.dtype, table.device);                                   // [M, D]
        using var grown = cat([known, added, special], 0);                                      // [N + 1 + M + S, D]
        table.set_(grown);                                                                      // the parameter now uses the grown storage
    }

    /// <summary>The id table's item rows, padding row included, special tokens excluded: [numItems + 1, D].</summary>
    public Tensor Weight => table.weight!.narrow(0, 0, NumItems + 1);

    /// <summary>The item feature's embedding, when the model has one.</summary>
    public ItemFeatureEmbedding? Feature => feature;

    /// <summary>Every item's embedding (features included), padding row included: [numItems + 1, D].</summary>
    public Tensor AllRows()
    {
        if (feature is null)
        {
            return Weight;
        }

        using var ids = arange(NumItems + 1, dtype: int64, device: table.weight!.device);
        return forward(ids);
    }

    // ids: [...] -> [..., D]
    public override Tensor forward(Tensor ids) =>
        feature is null ? table.forward(ids) : idsToo ? table.forward(ids) + feature.forward(ids) : feature.forward(ids);
}
