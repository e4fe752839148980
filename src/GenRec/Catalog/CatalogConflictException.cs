namespace GenRec.Catalog;

/// <summary>An added item whose id already names another item (one the model was trained on, or one added with other text).</summary>
internal sealed class CatalogConflictException(string message) : ArgumentException(message);
