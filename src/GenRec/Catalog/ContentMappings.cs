using static TorchSharp.torch;

namespace GenRec.Catalog;

/// <summary>Fitting a content mapping of either kind, and comparing the kinds on warm items held out from the fit.</summary>
internal static class ContentMappings
{
    /// <summary>The ridge penalties tried; the one with the lowest held-out error is kept.</summary>
    public static readonly double[] RidgePenalties = [0.01, 0.1, 1, 10, 100];

    /// <summary>A mapping of the given kind fitted on pairs: content [N, T], embeddings [N, D].</summary>
    public static IContentMapping Fit(ContentMappingKind kind, Tensor content, Tensor embeddings, int seed) => kind switch
    {
        ContentMappingKind.Ridge => FitRidge(content, embeddings, seed),
        ContentMappingKind.Mlp => MlpContentMapping.Fit(content, embeddings, seed),
        ContentMappingKind.Knn => new KnnContentMapping(content, embeddings),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "content mapping"),
    };

    /// <summary>Ridge with its penalty chosen on a seeded tenth of the pairs, then refitted on all of them.</summary>
    public static RidgeContentMapping FitRidge(Tensor content, Tensor embeddings, int seed)
    {
        var (fit, held) = Halves(content.shape[0], seed);
        using var fitIds = tensor(fit, dtype: int64, device: content.device);
        using var heldIds = tensor(held, dtype: int64, device: content.device);
        using var fitX = content.index_select(0, fitIds);
        using var fitE = embeddings.index_select(0, fitIds);
        using var heldX = content.index_select(0, heldIds);
        using var heldE = embeddings.index_select(0, heldIds);
        var best = RidgePenalties.MinBy(lambda =>
        {
            using var candidate = RidgeContentMapping.Fit(fitX, fitE, lambda);
            using var predicted = candidate.Map(heldX);
            return (predicted - heldE).square().sum().item<float>();
        });
        return RidgeContentMapping.Fit(content, embeddings, best);
    }

    /// <summary>
    /// Each kind fitted on nine tenths of the pairs (seeded) and measured on the rest: R² (one minus the squared error over
    /// the spread around the mean embedding), mean cosine to the true embedding, and the share of held-out items whose
    /// true row is among the 10 rows of <paramref name="table"/> [N', D] nearest (cosine) to the mapped vector.
    /// <paramref name="rows"/> names each pair's row in that table.
    /// </summary>
    public static IReadOnlyDictionary<string, MappingFigures> Compare(Tensor content, Tensor embeddings, long[] rows, Tensor table, int seed) =>
        Enum.GetValues<ContentMappingKind>().ToDictionary(Configuration.ClosedChoice.Name, kind => Measure(kind, content, embeddings, rows, table, seed));

    /// <summary>One kind, measured as <see cref="Compare"/> does.</summary>
    public static MappingFigures Measure(ContentMappingKind kind, Tensor content, Tensor embeddings, long[] rows, Tensor table, int seed)
    {
        var (fit, held) = Halves(content.shape[0], seed);
        using var scope = NewDisposeScope();
        var fitIds = tensor(fit, dtype: int64, device: content.device);
        var heldIds = tensor(held, dtype: int64, device: content.device);
        var heldX = content.index_select(0, heldIds);
        var heldE = embeddings.index_select(0, heldIds);
        var heldRows = tensor(held.Select(i => rows[i]).ToArray(), dtype: int64, device: content.device);
        using var mapping = Fit(kind, content.index_select(0, fitIds), embeddings.index_select(0, fitIds), seed);
        var predicted = mapping.Map(heldX);                                                      // [H, D]
        var r2 = 1 - ((predicted - heldE).square().sum() / (heldE - heldE.mean([0])).square().sum()).item<float>();
        var cosine = nn.functional.cosine_similarity(predicted, heldE, dim: 1).mean().item<float>();
        var unitTable = nn.functional.normalize(table, dim: 1);                                 // [N', D]
        var top = nn.functional.normalize(predicted, dim: 1).matmul(unitTable.t()).topk(10, dim: 1).indexes; // [H, 10]
        var found = top.eq(heldRows.unsqueeze(1)).any(1).to(float32).mean().item<float>();
        return new MappingFigures(r2, cosine, found, held.Length);
    }

    private static (long[] Fit, long[] Held) Halves(long count, int seed)
    {
        var order = Enumerable.Range(0, (int)count).Select(i => (long)i).ToArray();
        new Random(seed).Shuffle(order);
        var held = Math.Max(1, (int)(count / 10));
        return (order[held..], order[..held]);
    }
}

/// <summary>A content mapping measured on held-out pairs.</summary>
/// <param name="R2">One minus the squared error over the spread of the true embeddings.</param>
/// <param name="Cosine">Mean cosine between mapped and true embedding.</param>
/// <param name="TrueRowInTop10">Share of held-out items whose own row is among the 10 nearest (cosine) to the mapped vector.</param>
/// <param name="HeldOut">Held-out pairs.</param>
internal sealed record MappingFigures(double R2, double Cosine, double TrueRowInTop10, int HeldOut);
