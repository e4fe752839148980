using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenRec.Models.LlmEsr;

/// <summary>
/// The semantic view of LLM-ESR: a frozen table of item text embeddings [rows, Ds] (row 0 padding,
/// rows after the items for special tokens, all zero until <see cref="Load"/>), read through a
/// trainable two-layer adapter <c>Linear(Ds, Ds/2) -> Linear(Ds/2, D)</c> (no activation between them, as the
/// research code's <c>adapter</c>). The table is a parameter without gradient so that checkpoints carry it and the
/// optimiser never moves it.
/// <para>The two layers compose into one affine map, up(down(x)) = x (W_up W_down)^T + (W_up b_down + b_up), and the
/// adapter applies it that way: the same function and the same gradients for both layers' parameters, at a third of
/// the cost per token (Ds x D multiply-adds instead of Ds x Ds/2 + Ds/2 x D; 24.6k instead of 86k for MiniLM's 384
/// dimensions and D 64), which matters because every history and target token is adapted at every step.</para>
/// </summary>
internal sealed class SemanticItemView : nn.Module<Tensor, Tensor>
{
    private readonly Parameter table;
    private readonly Linear down;
    private readonly Linear up;

    public SemanticItemView(int rows, int semanticDim, int dim) : base(nameof(SemanticItemView))
    {
        if (semanticDim < 2)
        {
            throw new ArgumentException($"semantic_dim must be at least 2 (got {semanticDim}); it is set from the item text embeddings");
        }

        table = new Parameter(zeros(rows, semanticDim), requires_grad: false);
        down = nn.Linear(semanticDim, semanticDim / 2);
        up = nn.Linear(semanticDim / 2, dim);
        RegisterComponents();
    }

    public int SemanticDim => (int)table.shape[1];

    /// <summary>The frozen text embeddings [rows, Ds].</summary>
    public Tensor Table => table;

    /// <summary>Copies item text embeddings [items + 1, Ds] (row-major, row = dense item id) into the table.</summary>
    public void Load(float[] values, int numItems)
    {
        var expected = (long)(numItems + 1) * SemanticDim;
        if (values.LongLength != expected)
        {
            throw new ArgumentException($"semantic table has {values.LongLength} values; expected {numItems + 1} rows x {SemanticDim}");
        }

        using var _ = no_grad();
        using var rows = tensor(values, [numItems + 1, SemanticDim]);
        table.narrow(0, 0, numItems + 1).copy_(rows);
        table[0].zero_();
    }

    /// <summary>Adds the text embeddings [M, Ds] of new items after the first <paramref name="numItems"/> + 1 rows (special tokens move after them).</summary>
    public void Append(Tensor text, int numItems)
    {
        if (text.dim() != 2 || text.shape[1] != SemanticDim)
        {
            throw new ArgumentException($"new item text embeddings must be [M, {SemanticDim}]; got [{string.Join(", ", text.shape)}]");
        }

        using var _ = no_grad();
        Modules.ItemEmbedding.GrowRows(table, numItems, text);
    }

    // ids: [...] -> adapted semantic embeddings [..., D]
    public override Tensor forward(Tensor ids)
    {
        var shape = ids.shape.Append(SemanticDim).ToArray();
        var text = table.index_select(0, ids.reshape(-1)).view(shape); // [..., Ds]
        return Adapt(text);
    }

    /// <summary>The adapter alone: text embeddings [..., Ds] -> [..., D], as one composed affine map.</summary>
    public Tensor Adapt(Tensor text)
    {
        using var scope = NewDisposeScope();
        var weight = up.weight!.matmul(down.weight!);                           // [D, Ds] = W_up W_down
        var bias = up.weight!.matmul(down.bias!) + up.bias!;                    // [D] = W_up b_down + b_up
        return nn.functional.linear(text, weight, bias).MoveToOuterDisposeScope(); // [..., D]
    }

    /// <summary>The adapter as its two layers, one after the other (the reference the composed map is tested against).</summary>
    internal Tensor AdaptLayerByLayer(Tensor text) => up.forward(down.forward(text));

    /// <summary>Adapted embeddings of the first <paramref name="count"/> rows (padding and items): [count, D].</summary>
    public Tensor FirstRows(int count) => Adapt(table.narrow(0, 0, count));
}
