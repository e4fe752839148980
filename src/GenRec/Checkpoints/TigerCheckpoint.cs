using GenRec.Models.Tiger;
using GenRec.Training;
using TorchSharp.Modules;

namespace GenRec.Checkpoints;

/// <summary>
/// A TIGER checkpoint: the training state as its header, the encoder-decoder's weights and optionally the optimiser.
/// The run config and semantic ID table stay in the run folder (<c>config.json</c>, the table the config names); the
/// model is rebuilt from them before the weights are read.
/// </summary>
internal static class TigerCheckpoint
{
    public const string Magic = "GENRECTG1";

    public static void Save(string path, TigerModel model, OptimizerHelper? optimizer, TrainingState state) =>
        CheckpointFile.Write(path, Magic, state, model, optimizer);

    /// <summary>Reads the weights (and the optimiser state when one is given) into an existing model; returns the training state.</summary>
    public static TrainingState Restore(string path, TigerModel model, OptimizerHelper? optimizer)
    {
        using var r = CheckpointFile.Open(path);
        var state = CheckpointFile.ReadHeader<TrainingState>(r, path, Magic, "TIGER");
        CheckpointFile.ReadWeights(r, model, optimizer);
        return state;
    }
}
