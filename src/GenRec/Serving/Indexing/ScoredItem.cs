namespace GenRec.Serving.Indexing;

/// <summary>An item id with its inner-product score.</summary>
internal readonly record struct ScoredItem(int Item, float Score);
