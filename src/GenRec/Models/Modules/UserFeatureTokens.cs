using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Models.Modules;

/// <summary>
/// One token per user feature: <c>x_f = emb_f(value_f) * sqrt(D)</c>, dropout; each feature has its own table, whose
/// row 0 (unknown) is zero and untrained. Valid where the value is known.
/// </summary>
internal sealed class UserFeatureTokens : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.ModuleList<TorchSharp.Modules.Embedding> tables = new();
    private readonly FastDropout dropout;
    private readonly double scale;

    public UserFeatureTokens(IReadOnlyList<int> cardinalities, int dim, double dropoutRate) : base(nameof(UserFeatureTokens))
    {
        foreach (var cardinality in cardinalities)
        {
            tables.Add(NewTable(cardinality, dim));
        }

        Count = cardinalities.Count;
        scale = Math.Sqrt(dim);
        dropout = new FastDropout(dropoutRate);
        RegisterComponents();
    }

    /// <summary>
    /// A feature's table: <c>[cardinality, dim]</c>, truncated normal (std 0.02, cut at two deviations), row 0 (unknown)
    /// zero and never trained (<c>padding_idx</c>).
    /// </summary>
    internal static TorchSharp.Modules.Embedding NewTable(int cardinality, int dim)
    {
        var table = nn.Embedding(cardinality, dim, padding_idx: 0);
        using (no_grad())
        {
            TruncatedNormal.Fill(table.weight!, mean: 0, std: 0.02, a: -0.04, b: 0.04);
            table.weight![0].zero_();
        }

        return table;
    }

    /// <summary>Feature tokens per user.</summary>
    public int Count { get; }

    // values: [B, F] -> tokens [B, F, D]
    public override Tensor forward(Tensor values)
    {
        var tokens = stack(tables.Select((table, f) => table.forward(values.select(1, f))).ToArray(), dim: 1); // [B, F, D]
        return dropout.forward(tokens * scale);
    }
}
