using GenRec.Checkpoints;
using System.CommandLine;
using GenRec.Cli.Terminal;
using GenRec.Data;
using GenRec.Serving;
using GenRec.Util;

namespace GenRec.Cli.Commands;

/// <summary>
/// <c>genrec export-embeddings</c>: a retrieval model's normalised item embeddings as a float32
/// <c>.npy</c> matrix [items + 1, D] (row i = dense item i, row 0 = padding) and a TSV of
/// <c>row, item id, title</c> beside it, for external indexes (FAISS, a vector database).
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "Retrieval checkpoint (dot-product model)", Required = true };
        var output = new Option<string>("--out") { Description = "Output .npy path (a .tsv with ids and titles is written beside it)", Required = true };
        var command = new Command("export-embeddings", "Write item embeddings (.npy) and their ids and titles (.tsv)") { checkpoint, output };
        command.SetAction(r =>
        {
            using var engine = RetrievalEngine.Load(r.GetValue(checkpoint)!, new() { Log = Output.Info });
            var items = engine.Items ?? throw new ArgumentException("Mixture-of-Logits models have no single item vector to export");
            var path = r.GetValue(output)!;
            NpyFile.Write(path, items.Values, items.Count, items.Dim);
            var tsv = Path.ChangeExtension(path, ".tsv");
            AtomicFile.WriteAllText(tsv, "row\titem\ttitle\n" + string.Concat(Enumerable.Range(1, engine.Dataset.NumItems)
                .Select(i => $"{i}\t{engine.Dataset.ItemKeys[i]}\t{engine.Dataset.ItemLabel(i).Replace('\t', ' ')}\n")));
            Output.Info($"{items.Count - 1:N0} items x {items.Dim} -> {path} (row 0 is padding), ids and titles -> {tsv}");
            return 0;
        });
        return command;
    }
}
