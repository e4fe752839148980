using GenRec.Data;
using GenRec.Util;

namespace GenRec.Text;

/// <summary>
/// Item text embeddings as a matrix [items + 1, D] (row = dense item id; row 0, padding, is zero):
/// computed from each item's text (title, categories, brand, price; <see cref="ItemMetadata.ToText"/>)
/// by a text encoder, or imported from a precomputed float32 <c>.npy</c> with one row per item in
/// dense-id order (N rows, or N + 1 with the padding row first).
/// </summary>
internal static class ItemTextEmbeddings
{
    /// <summary>Embeds every item's text; items without text are an error listing them (no silent zero rows).</summary>
    public static (float[] Values, int Dim) Compute(SequenceDataset dataset, ITextEncoder encoder, Action<string>? log = null)
    {
        var missing = Enumerable.Range(1, dataset.NumItems).Where(i => dataset.Items[i] is null || string.IsNullOrWhiteSpace(dataset.Items[i]!.Title)).ToArray();
        if (missing.Length > 0)
        {
            throw new InvalidDataException($"{dataset.Name}: {missing.Length} of {dataset.NumItems} items have no text (e.g. item ids {string.Join(", ", missing.Take(5).Select(i => dataset.ItemKeys[i]))}); give item metadata or import vectors with --npy");
        }

        var texts = Enumerable.Range(1, dataset.NumItems).Select(i => dataset.Items[i]!.ToText()).ToArray();
        log?.Invoke($"embedding {texts.Length:N0} item texts with {encoder.Name}");
        var rows = encoder.Encode(texts);
        var values = new float[(dataset.NumItems + 1) * encoder.Dim];
        rows.CopyTo(values, encoder.Dim);
        return (values, encoder.Dim);
    }

    public static (float[] Values, int Dim) Import(string npyPath, int numItems)
    {
        var (values, rows, cols) = NpyFile.Read(npyPath);
        if (rows == numItems + 1)
        {
            return (values, cols);
        }

        if (rows != numItems)
        {
            throw new InvalidDataException($"{npyPath}: {rows} rows, but the dataset has {numItems} items (expected {numItems} rows in dense-id order, or {numItems + 1} with a padding row first)");
        }

        var padded = new float[(numItems + 1) * cols];
        values.CopyTo(padded, cols);
        return (padded, cols);
    }
}
