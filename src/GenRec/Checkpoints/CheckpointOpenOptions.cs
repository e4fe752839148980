using GenRec.Data;
using static TorchSharp.torch;

namespace GenRec.Checkpoints;

/// <summary>How <see cref="Checkpoint.Open"/> places the model and finds its data.</summary>
internal sealed record CheckpointOpenOptions
{
    /// <summary>Where the weights go (default the CPU); the file does not depend on the device it was saved from.</summary>
    public Device? Device { get; init; }

    /// <summary>A dataset already in memory (it must be the one the model was trained on); nothing is loaded then.</summary>
    public SequenceDataset? Dataset { get; init; }

    /// <summary>Another location of the dataset (same preparation options as the run's), instead of the recorded one.</summary>
    public string? DataPath { get; init; }

    /// <summary>The prepared-dataset cache folder.</summary>
    public string CacheDir { get; init; } = DatasetRequest.DefaultCacheDir;

    /// <summary>
    /// Apply the items added after training (<c>&lt;checkpoint&gt;.catalog.json</c>, <see cref="Catalog.ItemCatalog"/>);
    /// off for the trainer's own test of what it trained.
    /// </summary>
    public bool WithCatalog { get; init; } = true;

    /// <summary>Progress lines of dataset loading.</summary>
    public Action<string>? Log { get; init; }
}
