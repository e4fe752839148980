using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Models.Modules;

/// <summary>
/// Item id embedding table [numItems + 1, D] with truncated-normal initialisation (std 0.02,
/// truncated at two standard deviations) and a zero, untrained padding row 0. Special tokens (BERT4Rec's
/// [mask]) get rows after the items and are never scored as items.
/// </summary>
internal sealed class ItemEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Embedding table;

    public ItemEmbedding(int numItems, int dim, double std = 0.02, int specialTokens = 0) : base(nameof(ItemEmbedding))
    {
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

    public int NumItems { get; }

    public int Dim { get; }

    /// <summary>The item rows, padding row included, special tokens excluded: [numItems + 1, D].</summary>
    public Tensor Weight => table.weight!.narrow(0, 0, NumItems + 1);

    // ids: [...] -> [..., D]
    public override Tensor forward(Tensor ids) => table.forward(ids);
}
