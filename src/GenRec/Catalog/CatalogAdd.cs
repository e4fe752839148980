using GenRec.Data;
using GenRec.Models;
using GenRec.Text;
using static TorchSharp.torch;

namespace GenRec.Catalog;

/// <summary>
/// Adds items to a trained retrieval checkpoint's catalogue (<see cref="ItemCatalog"/>): each new item's text is
/// embedded, and a content mapping fitted on the warm items (those in the training sequences: their text vector
/// against the model's ID row) gives its row. All or nothing: one bad item and nothing is written. Adding an item that
/// is already in the catalogue with the same text changes nothing; with other text, or with the key of an item the
/// model was trained on, it is an error.
/// </summary>
internal static class CatalogAdd
{
    /// <summary>The most items one add takes.</summary>
    public const int MaxItems = 100_000;

    /// <summary>What an add did.</summary>
    public sealed record Outcome(int Added, int AlreadyThere, ItemCatalog Catalog, MappingFigures? Fit);

    /// <param name="checkpoint">The checkpoint file.</param>
    /// <param name="model">Its model, with its current catalogue applied (<see cref="Checkpoints.Checkpoint.Open"/>).</param>
    /// <param name="dataset">Its dataset, likewise.</param>
    /// <param name="items">The items to add, in order: key and metadata.</param>
    /// <param name="encoder">The sentence encoder of the new items' text (and of the warm items', when not given).</param>
    /// <param name="warmText">The trained items' text vectors [checkpoint items + 1, T] from the same encoder, asked for once the items are found valid; null: the model's text view, else embedded now.</param>
    /// <param name="mapping">The content mapping kind.</param>
    /// <param name="seed">Seed of the mapping's fit.</param>
    /// <param name="log">Progress lines.</param>
    public static Outcome Run(string checkpoint, SequentialRecommender model, SequenceDataset dataset, IReadOnlyList<(string Key, ItemMetadata Metadata)> items, ITextEncoder encoder, Func<(float[] Values, int Dim)>? warmText, ContentMappingKind mapping, int seed, Action<string>? log = null)
    {
        var path = ItemCatalog.PathOf(checkpoint);
        var existing = File.Exists(path) ? ItemCatalog.Read(path) : null;
        var baseItems = existing?.CheckpointItems ?? model.NumItems;
        if (existing is { Items.Count: > 0 } && existing.Encoder != encoder.Name)
        {
            throw new ArgumentException($"the catalogue's items were embedded with {existing.Encoder}; add with the same encoder (not {encoder.Name})");
        }

        if (items.Count > MaxItems)
        {
            throw new ArgumentException($"{items.Count:N0} items in one add; at most {MaxItems:N0}");
        }

        var added = new List<(string Key, ItemMetadata Metadata)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var already = 0;
        foreach (var (key, metadata) in items)
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                throw new ArgumentException("an item has an empty id");
            }

            if (!seen.Add(key))
            {
                throw new ArgumentException($"item '{Util.QuotedText.Clip(key)}' appears twice");
            }

            if (string.IsNullOrWhiteSpace(metadata.ToText()))
            {
                throw new ArgumentException($"item '{Util.QuotedText.Clip(key)}': no text (title, categories or brand) to name it by");
            }

            if (dataset.ItemIds.TryGetValue(key, out var id))
            {
                if (id <= baseItems)
                {
                    throw new CatalogConflictException($"item '{Util.QuotedText.Clip(key)}' is one the model was trained on");
                }

                if (dataset.Items[id]?.ToText() != metadata.ToText())
                {
                    throw new CatalogConflictException($"item '{Util.QuotedText.Clip(key)}' already names a different item (its text differs)");
                }

                already++;
                continue;
            }

            added.Add((key, metadata));
        }

        if (added.Count == 0)
        {
            return new Outcome(0, already, existing ?? Empty(checkpoint, baseItems, encoder.Name, mapping), null);
        }

        log?.Invoke($"embedding {added.Count:N0} new item text(s) with {encoder.Name}");
        var newText = encoder.Encode([.. added.Select(a => a.Metadata.ToText())]);          // [M * T]
        var text = warmText?.Invoke() ?? WarmText(model, dataset, baseItems, encoder, log);
        if (text.Dim != encoder.Dim)
        {
            throw new ArgumentException($"the trained items' text vectors have {text.Dim} values but {encoder.Name} makes {encoder.Dim}: use the encoder they came from");
        }

        var counts = new int[baseItems + 1];
        foreach (var item in dataset.Sequences.SelectMany(s => s).Where(i => i <= baseItems))
        {
            counts[item]++;
        }

        long[] warm = [.. Enumerable.Range(1, baseItems).Where(i => counts[i] > 0).Select(i => (long)i)];
        var rows = model.IdEmbeddings;                                                         // [N + 1 (+ added), D]
        using var scope = NewDisposeScope();
        var warmIds = tensor(warm, dtype: int64, device: rows.device);
        var content = tensor(text.Values).reshape(text.Values.Length / text.Dim, text.Dim).to(rows.device); // [base + 1, T]
        var warmContent = content.index_select(0, warmIds);                                    // [W, T]
        var warmRows = rows.detach().index_select(0, warmIds);                                 // [W, D]
        var fit = ContentMappings.Measure(mapping, warmContent, warmRows, warm, rows.detach().narrow(0, 0, baseItems + 1), seed);
        log?.Invoke($"{Configuration.ClosedChoice.Name(mapping)} mapping on {warm.Length:N0} warm items: held-out R² {fit.R2:F3}, cosine {fit.Cosine:F3}");
        using var map = ContentMappings.Fit(mapping, warmContent, warmRows, seed);
        var mapped = map.Map(tensor(newText).reshape(added.Count, encoder.Dim).to(rows.device)).cpu(); // [M, D]
        var dim = (int)mapped.shape[1];
        var values = mapped.data<float>().ToArray();
        var catalogItems = added.Select((a, i) => new CatalogItem(a.Key, a.Metadata.Title, a.Metadata.Categories, a.Metadata.Brand, a.Metadata.Price,
            values[(i * dim)..((i + 1) * dim)], newText[(i * encoder.Dim)..((i + 1) * encoder.Dim)]));
        var before = existing ?? Empty(checkpoint, baseItems, encoder.Name, mapping);
        var catalog = before with { Items = [.. before.Items, .. catalogItems], Encoder = encoder.Name, Mapping = Configuration.ClosedChoice.Name(mapping) };
        catalog.Write(path);
        return new Outcome(added.Count, already, catalog, fit);
    }

    internal static ItemCatalog Empty(string checkpoint, int baseItems, string encoder, ContentMappingKind mapping) =>
        new() { Checkpoint = ItemCatalog.Fingerprint(checkpoint), CheckpointItems = baseItems, Encoder = encoder, Mapping = Configuration.ClosedChoice.Name(mapping) };

    /// <summary>The trained items' text vectors: the model's text view (LLM-ESR) when it has one, else embedded now.</summary>
    internal static (float[] Values, int Dim) WarmText(SequentialRecommender model, SequenceDataset dataset, int baseItems, ITextEncoder encoder, Action<string>? log)
    {
        if (model.SemanticView is { } view)
        {
            using var table = view.Table.narrow(0, 0, baseItems + 1).cpu();
            return (table.data<float>().ToArray(), (int)table.shape[1]);
        }

        var texts = Enumerable.Range(1, baseItems).Select(i => dataset.Items[i]?.ToText() ?? "").ToArray();
        if (texts.Any(string.IsNullOrWhiteSpace))
        {
            throw new InvalidDataException($"{dataset.Name}: some trained items have no text to fit the content mapping on; give their vectors (--text-embeddings from genrec text embed)");
        }

        log?.Invoke($"embedding the {baseItems:N0} trained items' text with {encoder.Name} (give --text-embeddings to skip this)");
        var values = new float[(baseItems + 1) * encoder.Dim];
        encoder.Encode(texts).CopyTo(values, encoder.Dim);
        return (values, encoder.Dim);
    }
}
