namespace GenRec.Data;

/// <summary>Side information of one item, keyed by its original id in the interaction file.</summary>
internal sealed record ItemMetadata(string Title, IReadOnlyList<string> Categories, string? Brand = null, double? Price = null)
{
    /// <summary>The text a text encoder sees: title, categories, brand and price when present.</summary>
    public string ToText()
    {
        var parts = new List<string> { Title };
        if (Categories.Count > 0)
        {
            parts.Add("Categories: " + string.Join(", ", Categories));
        }

        if (!string.IsNullOrWhiteSpace(Brand))
        {
            parts.Add("Brand: " + Brand);
        }

        if (Price is { } price)
        {
            parts.Add("Price: " + price.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture));
        }

        return string.Join(". ", parts);
    }
}
