using System.Globalization;
using System.Text.Json;

namespace GenRec.Data.Loaders;

/// <summary>
/// Item metadata as JSON lines, one object per item: an id field, and optionally <c>title</c>,
/// <c>categories</c> (a list of strings or a list of category paths), <c>brand</c> and <c>price</c>.
/// The id field is given, or the first of <see cref="DefaultKeyFields"/> present in the first line.
/// </summary>
internal static class JsonLinesMetadataLoader
{
    public static readonly string[] DefaultKeyFields = ["item_id", "s3rec_item_id", "asin", "movieId", "id"];

    public static Dictionary<string, ItemMetadata> Load(string path, string? keyField = null)
    {
        var name = Path.GetFileName(path);
        var items = new Dictionary<string, ItemMetadata>(StringComparer.Ordinal);
        foreach (var (line, text) in TextLines.Read(path))
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(text);
            }
            catch (JsonException e)
            {
                throw new DataFormatException(name, line, "record", $"invalid JSON: {e.Message}");
            }

            using (doc)
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    throw new DataFormatException(name, line, "record", "expected a JSON object");
                }

                keyField ??= DefaultKeyFields.FirstOrDefault(f => root.TryGetProperty(f, out _))
                    ?? throw new DataFormatException(name, line, "id", $"no id field; expected one of {string.Join(", ", DefaultKeyFields)}");
                var key = ReadScalar(name, line, root, keyField, required: true)!;
                var title = ReadScalar(name, line, root, "title", required: false) ?? "";
                var categories = ReadCategories(name, line, root);
                var brand = ReadScalar(name, line, root, "brand", required: false);
                double? price = null;
                if (ReadScalar(name, line, root, "price", required: false) is { } priceText)
                {
                    price = double.TryParse(priceText.TrimStart('$'), NumberStyles.Float, CultureInfo.InvariantCulture, out var p)
                        ? p
                        : throw new DataFormatException(name, line, "price", $"'{FieldParser.Shorten(priceText)}' is not a number");
                }

                if (!items.TryAdd(key, new ItemMetadata(System.Net.WebUtility.HtmlDecode(title), categories, brand, price)))
                {
                    throw new DataFormatException(name, line, keyField, $"item {key} appears twice");
                }
            }
        }

        return items;
    }

    private static string? ReadScalar(string file, long line, JsonElement root, string field, bool required)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return required ? throw new DataFormatException(file, line, field, "is missing") : null;
        }

        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Number => value.GetRawText(),
            _ => throw new DataFormatException(file, line, field, $"expected a string or number, found {value.ValueKind}"),
        };
        if (required && string.IsNullOrWhiteSpace(text))
        {
            throw new DataFormatException(file, line, field, "is empty");
        }

        return text;
    }

    private static IReadOnlyList<string> ReadCategories(string file, long line, JsonElement root)
    {
        if (!root.TryGetProperty("categories", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        var result = new List<string>();
        void Collect(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.String:
                    var s = System.Net.WebUtility.HtmlDecode(e.GetString()!.Trim());
                    if (s.Length > 0 && !result.Contains(s, StringComparer.Ordinal))
                    {
                        result.Add(s);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var child in e.EnumerateArray())
                    {
                        Collect(child);
                    }

                    break;
                default:
                    throw new DataFormatException(file, line, "categories", $"expected strings or lists of strings, found {e.ValueKind}");
            }
        }

        Collect(value);
        return result;
    }
}
