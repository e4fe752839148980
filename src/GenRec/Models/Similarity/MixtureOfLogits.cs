using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenRec.Models.Similarity;

/// <summary>
/// Mixture of Logits (Zhai et al., "Revisiting Neural Retrieval on Accelerators", KDD 2023), the
/// learned similarity of generative-recommenders' MoL module: the user state is projected into
/// <c>Pq</c> and the item into <c>Px</c> L2-normalised component embeddings; the <c>P = Pq * Px</c>
/// component logits are mixed by gates that depend on the user, the item and the logits themselves:
/// <c>s(u, x) = sum_p softmax_p(g_u(u) + g_x(x) + g_ux(l))_p * l_p</c>, <c>l_p = &lt;f_u(u)_i, f_x(x)_j&gt;</c>.
/// Scores stay in [-1, 1] like a cosine, so the sampled-softmax temperature carries over.
/// </summary>
internal sealed class MixtureOfLogits : nn.Module, ISimilarity
{
    private readonly Linear queryComponents;
    private readonly Linear itemComponents;
    private readonly Linear queryGate;
    private readonly Linear itemGate;
    private readonly Linear logitGate;
    private readonly int queryGroups;
    private readonly int itemGroups;
    private readonly int componentDim;

    public MixtureOfLogits(int dim, int queryGroups, int itemGroups, int componentDim) : base(nameof(MixtureOfLogits))
    {
        this.queryGroups = queryGroups;
        this.itemGroups = itemGroups;
        this.componentDim = componentDim;
        var p = queryGroups * itemGroups;
        queryComponents = nn.Linear(dim, queryGroups * componentDim);
        itemComponents = nn.Linear(dim, itemGroups * componentDim);
        queryGate = nn.Linear(dim, p);
        itemGate = nn.Linear(dim, p, hasBias: false);
        logitGate = nn.Linear(p, p, hasBias: false);
        RegisterComponents();
    }

    public bool IsCheapOverCatalogue => false;

    public int NumLogits => queryGroups * itemGroups;

    // queries [M, D], items [M, K, D] -> [M, K]
    public Tensor PerRow(Tensor queries, Tensor items) => Mix(queries, items);

    // queries [M, D], items [K, D] -> [M, K]
    public Tensor Shared(Tensor queries, Tensor items) => Mix(queries, items.unsqueeze(0));

    // queries [M, D], items [M or 1, K, D] -> [M, K]
    private Tensor Mix(Tensor queries, Tensor items)
    {
        var m = queries.shape[0];
        var k = items.shape[1];
        var q = nn.functional.normalize(queryComponents.forward(queries).view(m, queryGroups, componentDim), dim: -1);       // [M, Pq, d]
        var x = nn.functional.normalize(itemComponents.forward(items).view(items.shape[0], k, itemGroups, componentDim), dim: -1); // [M|1, K, Px, d]
        // l[m, k, i, j] = <q[m, i], x[m, k, j]>
        var logits = (x.shape[0] == m ? einsum("mid,mkjd->mkij", q, x) : einsum("mid,kjd->mkij", q, x[0])).reshape(m, k, NumLogits); // [M, K, P]
        var gateLogits = queryGate.forward(queries).unsqueeze(1) + itemGate.forward(items) + logitGate.forward(logits);  // [M, K, P]
        var gates = nn.functional.softmax(gateLogits, -1);                                                              // [M, K, P]
        return (gates * logits).sum(-1);                                                                                // [M, K]
    }
}
