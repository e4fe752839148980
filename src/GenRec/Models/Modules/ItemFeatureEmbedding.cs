using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Models.Modules;

/// <summary>
/// A categorical item feature's embedding: each item's value ids (a buffer [items + 1 + special, W], 0 pads, saved with
/// the weights) looked up in a table [values, D] whose row 0 is zero, averaged over the item's values:
/// <c>e(i) = mean_{v in values(i)} emb(v)</c>, zero for items without one.
/// </summary>
internal sealed class ItemFeatureEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Embedding table;

    public ItemFeatureEmbedding(int rows, int width, int cardinality, int dim) : base(nameof(ItemFeatureEmbedding))
    {
        table = nn.Embedding(cardinality, dim, padding_idx: 0);
        using (no_grad())
        {
            TruncatedNormal.Fill(table.weight!, mean: 0, std: 0.02, a: -0.04, b: 0.04);
            table.weight![0].zero_();
        }

        RegisterComponents();
        register_buffer("item_values", zeros(rows, width, dtype: int64));
    }

    /// <summary>Sets the item-to-values map: one row per item (padding row 0 included), each padded with 0 to the width.</summary>
    public void Load(int[][] values)
    {
        using var _ = no_grad();
        var itemValues = get_buffer("item_values")!;
        var width = (int)itemValues.shape[1];
        var flat = values.SelectMany(v => v.Length == width ? v : throw new ArgumentException($"item value rows must have {width} entries")).Select(v => (long)v).ToArray();
        itemValues.narrow(0, 0, values.Length).copy_(tensor(flat).view(values.Length, width).to(itemValues.device));
    }

    // ids: [...] -> [..., D]
    public override Tensor forward(Tensor ids)
    {
        var buffer = get_buffer("item_values")!;
        var values = buffer.index_select(0, ids.flatten()).view([.. ids.shape, buffer.shape[1]]); // [..., W]
        var present = values.ne(0).unsqueeze(-1).to(table.weight!.dtype);                         // [..., W, 1]
        var summed = (table.forward(values) * present).sum(-2);                                     // [..., D]
        return summed / present.sum(-2).clamp_min(1);
    }
}
