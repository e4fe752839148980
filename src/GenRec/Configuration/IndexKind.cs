namespace GenRec.Configuration;

/// <summary>How a served dot-product model finds its top k items (<c>--index</c>, <c>index</c> in the serving and recommender options).</summary>
public enum IndexKind
{
    /// <summary>Exact search over every item embedding.</summary>
    Exact,

    /// <summary>Our HNSW graph (approximate; its recall against exact search is measured by <c>genrec bench serve</c>); rebuilt on every catalogue change.</summary>
    Hnsw,

    /// <summary>USearch's HNSW graph (approximate, <c>genrec bench ann</c>), extended in place when items are added to the served catalogue.</summary>
    USearch,
}
