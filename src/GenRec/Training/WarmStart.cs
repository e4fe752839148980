using GenRec.Checkpoints;
using GenRec.Data;
using GenRec.Models;
using static TorchSharp.torch;

namespace GenRec.Training;

/// <summary>
/// <c>train.init_from</c>: a model updated rather than retrained from nothing. The new run starts from an earlier
/// retrieval checkpoint of the same model config, trained on an older log: every weight that is not an item's is copied,
/// an item the checkpoint knows (by its id, items added to its catalogue included) keeps its row, a new item starts as a
/// fresh run would start it (random, or LLM-ESR's text PCA), and training continues with the config's optimiser
/// settings on the newer log.
/// </summary>
internal static class WarmStart
{
    private const string ItemTable = "items.table.weight";

    /// <summary>
    /// Copies the checkpoint's weights into <paramref name="model"/> (built for <paramref name="data"/>); what was kept,
    /// for the log. The checkpoint's own dataset is found where it records it, unless given (<paramref name="oldData"/>).
    /// </summary>
    public static string Apply(SequentialRecommender model, SequenceDataset data, string checkpoint, SequenceDataset? oldData = null)
    {
        using var opened = Checkpoint.Open(checkpoint, new() { Dataset = oldData });
        using var old = opened.TakeRetrieval("train.init_from");
        var known = opened.Dataset;
        if (model.Config.Features?.Item is not null)
        {
            throw new NotSupportedException("train.init_from: models with an item feature are not supported yet");
        }

        var source = old.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var kept = 0;
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
                    kept = CopyItemRows(parameter, from, data, known, old.NumItems, model.NumItems);
                    continue;
                }

                if (!from.shape.SequenceEqual(parameter.shape))
                {
                    throw new InvalidOperationException($"train.init_from: '{name}' is [{string.Join(", ", from.shape)}] in {checkpoint} but [{string.Join(", ", parameter.shape)}] here: it needs the same model config");
                }

                parameter.copy_(from.to(parameter.device));
            }
        }

        return $"started from {checkpoint}: every weight but the item rows, and the rows of {kept:N0} of {data.NumItems:N0} items it knows; {data.NumItems - kept:N0} new items start fresh";
    }

    // Rows by item id: [N + 1 + S, D] from [N' + 1 + S, D]; the special tokens' rows (BERT4Rec's [mask]) come along.
    private static int CopyItemRows(Tensor target, Tensor source, SequenceDataset data, SequenceDataset oldData, int oldItems, int newItems)
    {
        var pairs = Enumerable.Range(1, data.NumItems)
            .Select(i => (New: (long)i, Old: oldData.ItemIds.TryGetValue(data.ItemKeys[i], out var j) ? (long)j : -1L))
            .Where(p => p.Old > 0).ToList();
        var special = target.shape[0] - newItems - 1;
        pairs.AddRange(Enumerable.Range(1, (int)special).Select(s => ((long)(newItems + s), (long)(oldItems + s))));
        using var to = tensor(pairs.Select(p => p.New).ToArray(), dtype: int64, device: target.device);
        using var from = tensor(pairs.Select(p => p.Old).ToArray(), dtype: int64, device: source.device);
        using var rows = source.index_select(0, from).to(target.device);
        target.index_copy_(0, to, rows);
        return pairs.Count - (int)special;
    }
}
