using GenRec.Configuration;

namespace GenRec.Checkpoints;

/// <summary>What every model checkpoint's header says about the data it was trained on.</summary>
internal interface ICheckpointHeader
{
    /// <summary>The run's data settings; <see cref="DataConfig.Path"/> as the config gave it (often relative).</summary>
    DataConfig Data { get; }

    /// <summary>Items in the vocabulary the weights were built for (dense ids 1..NumItems).</summary>
    int NumItems { get; }

    /// <summary>The data's absolute location when the checkpoint was written; null in older files.</summary>
    string? DataLocation { get; }
}
