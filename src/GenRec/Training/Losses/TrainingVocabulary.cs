using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Training.Losses;

/// <summary>
/// The items a run trains on when some ids of the model's table are outside its catalogue (the cold items of
/// <c>data.cold_item_share</c>): a loss scores and samples only these, so an item outside them is never a negative and
/// its rows get no gradient from the loss, as if the table had no row for it. Its rows are then what the catalogue
/// path gives them (a content mapping), exactly as for an item that arrives after training.
/// </summary>
internal sealed class TrainingVocabulary : IDisposable
{
    private readonly Dictionary<DeviceType, (Tensor Items, Tensor ColumnOf)> onDevice = [];

    /// <param name="excluded">[numItems + 1], true for an item outside the catalogue (entry 0, padding, is ignored).</param>
    public TrainingVocabulary(bool[] excluded)
    {
        Excluded = excluded;
        Items = [.. Enumerable.Range(1, excluded.Length - 1).Where(i => !excluded[i]).Select(i => (long)i)];
        if (Items.Length == 0)
        {
            throw new ArgumentException("every item is outside the training catalogue; nothing to train on", nameof(excluded));
        }
    }

    /// <summary>[numItems + 1], true for an item outside the catalogue.</summary>
    public bool[] Excluded { get; }

    /// <summary>The dense ids trained on, ascending.</summary>
    public long[] Items { get; }

    /// <summary>The vocabulary of a run: null when every item is in it (then losses run exactly as without one).</summary>
    public static TrainingVocabulary? Of(bool[] excluded) => excluded.Skip(1).Any(e => e) ? new TrainingVocabulary(excluded) : null;

    /// <summary>The trained items' columns of [M, I] logits over items 1..I: [M, I] -> [M, V].</summary>
    public Tensor Columns(Tensor logits) => logits.index_select(1, On(logits.device).Items - 1);

    /// <summary>Each positive's column among the trained items: [M] dense ids -> [M] in 0..V-1.</summary>
    public Tensor ColumnOf(Tensor positives) => On(positives.device).ColumnOf.index_select(0, positives);

    /// <summary>Items drawn uniformly from the trained ones: shape of dense ids.</summary>
    public Tensor Sample(long[] shape, Generator generator, Device device) =>
        On(device).Items.index_select(0, randint(0, Items.Length, shape, generator: generator, dtype: int64, device: device).flatten()).view(shape);

    public void Dispose()
    {
        foreach (var (items, columnOf) in onDevice.Values)
        {
            items.Dispose();
            columnOf.Dispose();
        }

        onDevice.Clear();
    }

    private (Tensor Items, Tensor ColumnOf) On(Device device)
    {
        if (!onDevice.TryGetValue(device.type, out var tensors))
        {
            var columnOf = Enumerable.Repeat(-1L, Excluded.Length).ToArray();
            for (var c = 0; c < Items.Length; c++)
            {
                columnOf[Items[c]] = c;
            }

            // Kept across steps: out of the dispose scope of the step that first asked.
            tensors = (tensor(Items, dtype: int64, device: device).DetachFromDisposeScope(), tensor(columnOf, dtype: int64, device: device).DetachFromDisposeScope());
            onDevice[device.type] = tensors;
        }

        return tensors;
    }
}
