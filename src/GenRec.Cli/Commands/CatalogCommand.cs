using System.CommandLine;
using GenRec.Catalog;
using GenRec.Checkpoints;
using GenRec.Cli.Terminal;
using GenRec.Configuration;
using GenRec.Data.Loaders;
using GenRec.Text;

namespace GenRec.Cli.Commands;

/// <summary>
/// <c>genrec catalog add</c>: items added to a trained retrieval checkpoint without retraining, named by their text
/// (<see cref="CatalogAdd"/>); <c>genrec catalog list</c> shows them. The catalogue lives beside the checkpoint and every
/// command that opens it (<c>recommend</c>, <c>eval</c>, <c>serve</c>) sees the items.
/// </summary>
internal static class CatalogCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "Retrieval checkpoint (.ckpt); its catalogue is <checkpoint>.catalog.json", Required = true };
        var items = new Option<string>("--items") { Description = "New items as JSON lines, the same fields as items.jsonl: an id, title, categories, brand, price", Required = true };
        var keyField = new Option<string?>("--id-field") { Description = $"The id field of --items (default: the first of {string.Join(", ", JsonLinesMetadataLoader.DefaultKeyFields)})" };
        var encoder = new Option<string>("--encoder") { Description = "Sentence encoder of the item text (the one the trained items' vectors came from)", DefaultValueFactory = _ => "minilm" };
        var warmText = new Option<string?>("--text-embeddings") { Description = "The trained items' text vectors .npy from genrec text embed with the same encoder (default: the model's text view, else embedded now)" };
        var mapping = new Option<string>("--mapping") { Description = "Content mapping: ridge, mlp or knn (the rows of the items nearest by text)", DefaultValueFactory = _ => "knn" };
        mapping.AcceptOnlyFromAmong("ridge", "mlp", "knn");
        var seed = new Option<int>("--seed") { Description = "Seed of the mapping's fit", DefaultValueFactory = _ => 42 };
        var add = new Command("add", "Add items to a trained retrieval model from their text: recommendable at once, no retraining") { checkpoint, items, keyField, encoder, warmText, mapping, seed };
        add.SetAction(r =>
        {
            var path = r.GetValue(checkpoint)!;
            using var opened = Checkpoint.Open(path, new() { Log = Output.Info });
            using var model = opened.TakeRetrieval("catalog add");
            var newItems = JsonLinesMetadataLoader.Load(r.GetValue(items)!, r.GetValue(keyField)).Select(p => (p.Key, p.Value)).ToArray();
            Func<(float[] Values, int Dim)>? text = r.GetValue(warmText) is { } npy ? () => ItemTextEmbeddings.Import(npy, CheckpointItems(path, model.NumItems)) : null;
            var textEncoder = TextEncoders.Create(r.GetValue(encoder)!);
            try
            {
                var outcome = CatalogAdd.Run(path, model, opened.Dataset, newItems, textEncoder, text, ClosedChoice.Parse<ContentMappingKind>(r.GetValue(mapping)!, "--mapping"), r.GetValue(seed), Output.Info);
                Console.WriteLine($"{outcome.Added} item(s) added, {outcome.AlreadyThere} already there; the catalogue has {outcome.Catalog.Items.Count} -> {ItemCatalog.PathOf(path)}");
            }
            finally
            {
                (textEncoder as IDisposable)?.Dispose();
            }

            return 0;
        });

        var listCheckpoint = new Option<string>("--checkpoint") { Description = "Retrieval checkpoint (.ckpt)", Required = true };
        var list = new Command("list", "The items added to a checkpoint after training") { listCheckpoint };
        list.SetAction(r =>
        {
            var path = ItemCatalog.PathOf(r.GetValue(listCheckpoint)!);
            var catalog = File.Exists(path) ? ItemCatalog.Read(path) : null;
            Console.WriteLine(catalog is null ? $"no items added ({path} does not exist)" : $"{catalog.Items.Count} item(s) added to a model of {catalog.CheckpointItems:N0} ({catalog.Encoder}, {catalog.Mapping} mapping):");
            foreach (var item in catalog?.Items ?? [])
            {
                Console.WriteLine($"  {item.Id}\t{item.Title}");
            }

            return 0;
        });
        return new Command("catalog", "Items added to a trained model after training (an open catalogue)") { add, list };
    }

    // The items the checkpoint was trained on (before any catalogue).
    private static int CheckpointItems(string checkpoint, int withCatalogue)
    {
        var path = ItemCatalog.PathOf(checkpoint);
        return File.Exists(path) ? ItemCatalog.Read(path).CheckpointItems : withCatalogue;
    }
}
