using GenRec.Checkpoints;
using GenRec.Data;
using GenRec.Models;
using static TorchSharp.torch;

namespace GenRec.Training;

/// <summary>
/// <c>train.init_from</c>: a model updated rather than retrained from nothing. The new run starts from an earlier
/// retrieval checkpoint of the same model config, trained on an older log: every weight that is not an item's is copied,
/// an item the checkpoint knows (by its id: one its run trained on, or one added to its catalogue) keeps its row, and a
/// new item (absent from the checkpoint, or present but never trained, as the cold items of <c>data.cold_item_share</c>)
/// starts from its text through the kNN content mapping over the known items' rows when text vectors are given, as the
/// catalogue path would name it, else as a fresh run would start it (random, or LLM-ESR's text PCA). Training then
/// continues with the config's optimiser settings on the newer log.
/// </summary>
internal static class WarmStart
{
    private const string ItemTable = "items.table.weight";

    /// <summary>
    /// Copies the checkpoint's weights into <paramref name="model"/> (built for <paramref name="data"/>); what was kept,
    /// for the log. The checkpoint's own dataset is found where it records it, unless given (<paramref name="oldData"/>).
    /// </summary>
    /// <param name="text">Text vectors of <paramref name="data"/>'s items [items + 1, T]: new items' rows start from them.</param>
    public static string Apply(SequentialRecommender model, SequenceDataset data, string checkpoint, SequenceDataset? oldData = null, (float[] Values, int Dim)? text = null)
    {
        using var opened = Checkpoint.Open(checkpoint, new() { Dataset = oldData });
        using var old = opened.TakeRetrieval("train.init_from");
        var known = opened.Dataset;
        var trained = TrainedItems(opened);
        if (model.Config.Features?.Item is not null)
        {
            throw new NotSupportedException("train.init_from: models with an item feature are not supported yet");
        }

        var source = old.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var kept = 0;
        var mapped = 0;
        using (no_grad())
        {
            foreach (var (name, parameter) in model.named_parameters())
            {
                if (name == "semantic.table")
                {
                    continue;                                                           // the item text, loaded from the data's own vectors
                }

                if (!source.TryGetValue(name, out var from))
                {
                    throw new InvalidOperationException($"train.init_from: {checkpoint} has no weight '{name}': it needs the same model config");
                }

                if (name == ItemTable)
                {
                    var pairs = KnownPairs(data, known, trained);
                    kept = CopyItemRows(parameter, from, pairs, old.NumItems, model.NumItems);
                    mapped = text is { } vectors ? MapNewRows(parameter, pairs, data.NumItems, vectors) : 0;
                    continue;
                }

                if (!from.shape.SequenceEqual(parameter.shape))
                {
                    throw new InvalidOperationException($"train.init_from: '{name}' is [{string.Join(", ", from.shape)}] in {checkpoint} but [{string.Join(", ", parameter.shape)}] here: it needs the same model config");
                }

                parameter.copy_(from.to(parameter.device));
            }
        }

        return $"started from {checkpoint}: every weight but the item rows, and the rows of {kept:N0} of {data.NumItems:N0} items it knows; {data.NumItems - kept:N0} new items start "
            + (text is null ? "fresh" : $"from their text (kNN content mapping over the known items' rows, {mapped:N0} of them)");
    }

    // The checkpoint's items whose rows mean something: those its run trained on (its split's training sequences, without
    // the cold items it left out) and those added to its catalogue since ([old items + 1], by the checkpoint's ids).
    private static bool[] TrainedItems(OpenedCheckpoint opened)
    {
        var header = opened.Retrieval ?? throw new InvalidOperationException("train.init_from: not a retrieval checkpoint");
        var dataset = opened.Dataset;
        var (split, _) = Trainer.SplitOf(dataset, header.Config);
        var counts = Evaluation.LongTail.LongTailGroups.Popularity(split.Train, dataset.NumItems);
        return [.. Enumerable.Range(0, dataset.NumItems + 1).Select(i => counts[i] > 0 || i > header.NumItems)]; // past the checkpoint's items: added through the catalogue, a mapped row
    }

    // (new id, old id) of each item the checkpoint knows, by key.
    private static List<(long New, long Old)> KnownPairs(SequenceDataset data, SequenceDataset oldData, bool[] trained) =>
        [.. Enumerable.Range(1, data.NumItems)
            .Select(i => (New: (long)i, Old: oldData.ItemIds.TryGetValue(data.ItemKeys[i], out var j) && trained[j] ? (long)j : -1L))
            .Where(p => p.Old > 0)];

    // The new items' rows [new, D] from their text through the kNN mapping fitted on the known items' (already copied) rows.
    private static int MapNewRows(Tensor table, List<(long New, long Old)> known, int numItems, (float[] Values, int Dim) text)
    {
        var isKnown = new bool[numItems + 1];
        known.ForEach(p => isKnown[p.New] = true);
        long[] fresh = [.. Enumerable.Range(1, numItems).Where(i => !isKnown[i]).Select(i => (long)i)];
        if (fresh.Length == 0 || known.Count == 0)
        {
            return 0;
        }

        using var scope = NewDisposeScope();
        var content = tensor(text.Values, dtype: float32).reshape(numItems + 1, text.Dim).to(table.device); // [N + 1, T]
        var knownIds = tensor(known.Select(p => p.New).ToArray(), dtype: int64, device: table.device);
        var freshIds = tensor(fresh, dtype: int64, device: table.device);
        using var mapping = new Catalog.KnnContentMapping(content.index_select(0, knownIds), table.index_select(0, knownIds).to(float32));
        table.index_copy_(0, freshIds, mapping.Map(content.index_select(0, freshIds)).to(table.dtype)); // [new, D]
        return fresh.Length;
    }

    // Rows by item id: [N + 1 + S, D] from [N' + 1 + S, D]; the special tokens' rows (BERT4Rec's [mask]) come along.
    private static int CopyItemRows(Tensor target, Tensor source, List<(long New, long Old)> known, int oldItems, int newItems)
    {
        var pairs = known.ToList();
        var special = target.shape[0] - newItems - 1;
        pairs.AddRange(Enumerable.Range(1, (int)special).Select(s => ((long)(newItems + s), (long)(oldItems + s))));
        using var to = tensor(pairs.Select(p => p.New).ToArray(), dtype: int64, device: target.device);
        using var from = tensor(pairs.Select(p => p.Old).ToArray(), dtype: int64, device: source.device);
        using var rows = source.index_select(0, from).to(target.device);
        target.index_copy_(0, to, rows);
        return pairs.Count - (int)special;
    }
}
