using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using GenRec.Data;
using GenRec.Models;
using GenRec.Util;
using static TorchSharp.torch;

namespace GenRec.Catalog;

/// <summary>
/// The items added to a trained retrieval checkpoint after training (<c>genrec catalog add</c>), kept beside it in
/// <c>&lt;checkpoint&gt;.catalog.json</c>: <see cref="Checkpoints.Checkpoint.Open"/> applies it, so every command and
/// the server that open the checkpoint see the new items (scored, recommendable, readable in a history). The file names
/// the checkpoint's SHA-256: a catalogue made for another version of the checkpoint is an error, never applied silently.
/// </summary>
internal sealed record ItemCatalog
{
    /// <summary>The file format.</summary>
    public const string FormatName = "genrec-catalog/1";

    /// <summary>Format tag.</summary>
    public string Format { get; init; } = FormatName;

    /// <summary>SHA-256 of the checkpoint file the rows were made for (hex).</summary>
    public required string Checkpoint { get; init; }

    /// <summary>Items the checkpoint was trained on.</summary>
    public required int CheckpointItems { get; init; }

    /// <summary>The text encoder that embedded the new items (the mapping was fitted on its vectors).</summary>
    public required string Encoder { get; init; }

    /// <summary>The content mapping that made the rows.</summary>
    public required string Mapping { get; init; }

    /// <summary>The added items, in id order (ids CheckpointItems + 1 onwards).</summary>
    public IReadOnlyList<CatalogItem> Items { get; init; } = [];

    /// <summary>Items withdrawn (out of stock): kept in the model, never recommended until restored. Any item, trained or added.</summary>
    public IReadOnlyList<string> Withdrawn { get; init; } = [];

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Where a checkpoint's catalogue lives.</summary>
    public static string PathOf(string checkpoint) => checkpoint + ".catalog.json";

    /// <summary>The SHA-256 of a file, hex.</summary>
    public static string Fingerprint(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Reads a catalogue file; a damaged one is an error naming it.</summary>
    public static ItemCatalog Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<ItemCatalog>(File.ReadAllText(path), Json) is { Format: FormatName } catalog
                ? catalog
                : throw new InvalidDataException($"{path}: not a GenRec item catalogue (format {FormatName})");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a readable item catalogue: {e.Message}");
        }
    }

    /// <summary>Writes the catalogue atomically (a reader sees the old file or the new one).</summary>
    public void Write(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");

    /// <summary>
    /// The checkpoint's catalogue applied to its model and dataset, when it has one: the model takes the new items' rows
    /// (and text, for a text view) and the dataset their keys and metadata.
    /// </summary>
    public static SequenceDataset ApplyIfPresent(string checkpoint, SequentialRecommender model, SequenceDataset dataset)
    {
        var path = PathOf(checkpoint);
        if (!File.Exists(path))
        {
            return dataset;
        }

        var catalog = Read(path);
        if (catalog.Checkpoint != Fingerprint(checkpoint) || catalog.CheckpointItems != model.NumItems)
        {
            throw new InvalidDataException($"{path}: made for another version of {Path.GetFileName(checkpoint)} (its SHA-256 or item count differs); delete it or add the items again");
        }

        return catalog.ApplyTo(model, dataset);
    }

    /// <summary>The dense ids of a checkpoint's withdrawn items in its (catalogue-applied) dataset; empty without a catalogue.</summary>
    public static IReadOnlySet<int> WithdrawnOf(string checkpoint, SequenceDataset dataset)
    {
        var path = PathOf(checkpoint);
        return File.Exists(path) ? Read(path).WithdrawnIn(dataset, path) : new HashSet<int>();
    }

    /// <summary>The dense ids of this catalogue's withdrawn items in the (catalogue-applied) dataset; read from <paramref name="path"/>.</summary>
    public IReadOnlySet<int> WithdrawnIn(SequenceDataset dataset, string path) =>
        Withdrawn.Select(key => dataset.ItemIds.TryGetValue(key, out var id) ? id : throw new InvalidDataException($"{path}: withdrawn item '{Util.QuotedText.Clip(key)}' is not in the model")).ToHashSet();

    /// <summary>This catalogue's items added to a model of <see cref="CheckpointItems"/> items and its dataset.</summary>
    public SequenceDataset ApplyTo(SequentialRecommender model, SequenceDataset dataset)
    {
        if (Items.Count == 0)
        {
            return dataset;
        }

        var dim = Items[0].Row.Length;
        var textDim = Items[0].Text.Length;
        if (Items.Any(i => i.Row.Length != dim || i.Text.Length != textDim) || dim != model.IdEmbeddings.shape[1])
        {
            throw new InvalidDataException($"item catalogue: rows must all have the model's {model.IdEmbeddings.shape[1]} values and text vectors one length");
        }

        using var rows = tensor(Items.SelectMany(i => i.Row).ToArray()).reshape(Items.Count, dim);          // [M, D]
        using var text = tensor(Items.SelectMany(i => i.Text).ToArray()).reshape(Items.Count, textDim);     // [M, T]
        model.AddItems(rows, model.SemanticView is null ? null : text);
        return dataset.WithItems([.. Items.Select(i => i.Id)], [.. Items.Select(i => (ItemMetadata?)i.Metadata)]);
    }
}
