namespace GenRec.Catalog;

/// <summary>
/// An item added to a trained model after training: its key, its metadata (the text it was named by), its ID row in
/// the model (from the content mapping) and its text vector (kept so that a model with a text view reads it, and so
/// that a re-add of the same text is recognised).
/// </summary>
/// <param name="Id">The item's key, as in the dataset's item ids.</param>
/// <param name="Title">Title.</param>
/// <param name="Categories">Categories.</param>
/// <param name="Brand">Brand, when known.</param>
/// <param name="Price">Price, when known.</param>
/// <param name="Row">The ID embedding row [D].</param>
/// <param name="Text">The text vector [T].</param>
internal sealed record CatalogItem(string Id, string Title, IReadOnlyList<string> Categories, string? Brand, double? Price, float[] Row, float[] Text)
{
    /// <summary>The metadata as the dataset keeps it.</summary>
    public Data.ItemMetadata Metadata => new(Title, Categories, Brand, Price);
}
