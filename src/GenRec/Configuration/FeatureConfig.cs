using GenRec.Models;

namespace GenRec.Configuration;

/// <summary>
/// Side information in the sequence (HSTU's unified feature space). User features become tokens placed before the
/// first item, one per feature, each from its own embedding table (<c>emb_f(value) * sqrt(D)</c>, dropout), valid only
/// when the value is known; they take no position embedding (their table says which feature they are), every item
/// attends to them, HSTU's relative position bias counts them as the first token positions and its time bias gives them
/// the first item's time (the features are known from the start). They are cut from the encoder's output, so no
/// feature token is ever a next-item state. An item feature (categories, brand) reaches the model through the item
/// embedding: <c>sum</c> adds the mean embedding of the item's values to its id embedding (inputs and the scored item
/// table alike); <c>categorical</c> uses the mean value embedding alone (generative-recommenders'
/// <c>CategoricalEmbeddingModule</c>: the item id looked up through its category). A user with no item yet is queried
/// from the features alone through a query of their own (see <see cref="ColdStartQuery"/>).
/// </summary>
public sealed record FeatureConfig
{
    /// <summary>User features to read, by name (ML-1M: <c>gender</c>, <c>age</c>, <c>occupation</c>, <c>zip</c>); empty for none.</summary>
    public IReadOnlyList<string> User { get; init; } = [];

    /// <summary>Values per user feature, unknown included: set from the data when training starts.</summary>
    public IReadOnlyList<int>? UserCardinalities { get; init; }

    /// <summary>
    /// True: a user with no item is queried through a query built from the user features alone, trained on the
    /// windows' next items with the item table detached (retrieval models; the sequence model is unchanged by it).
    /// False: from the last feature token's state, which no loss trains. Null in a config file means true (set when
    /// training starts); a checkpoint's null (written before this option) means false.
    /// </summary>
    public bool? ColdStartQuery { get; init; }

    /// <summary>Item feature: <c>category</c> (genres, category paths), <c>brand</c>, or null for none.</summary>
    public string? Item { get; init; }

    /// <summary>How the item feature joins the item embedding: <c>sum</c> or <c>categorical</c>.</summary>
    public ItemFeatureMode ItemMode { get; init; } = ItemFeatureMode.Sum;

    /// <summary>Values of the item feature, "none" included: set from the data when training starts.</summary>
    public int ItemCardinality { get; init; }

    /// <summary>Most values one item has: set from the data when training starts.</summary>
    public int ItemWidth { get; init; }
}
