namespace GenRec.Data.Preparation;

/// <summary>How k-core filtering is applied.</summary>
public enum KCoreMode
{
    /// <summary>Repeat until every user and every item has at least k interactions (the usual 5-core).</summary>
    Iterative,

    /// <summary>
    /// generative-recommenders' Amazon preprocessing: counts taken once on the input, rows with an
    /// item or user below k dropped, then sequences shorter than k dropped.
    /// </summary>
    OnePass,
}
