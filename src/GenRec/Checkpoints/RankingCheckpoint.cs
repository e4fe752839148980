using GenRec.Training;
using GenRec.Configuration;
using GenRec.Models.Ranking;
using TorchSharp.Modules;

namespace GenRec.Checkpoints;

/// <summary>A ranking checkpoint: run config, item count, task names and state as JSON, the weights, and optionally the optimiser. Atomic writes.</summary>
internal static class RankingCheckpoint
{
    public const string Magic = "GENRECRK1";

    /// <summary>The header; <paramref name="DataLocation"/> is where the data was at training time (absolute; absent in older files).</summary>
    public sealed record Header(RankingRunConfig Config, int NumItems, string[] Tasks, TrainingState State, string? DataLocation = null) : ICheckpointHeader
    {
        DataConfig ICheckpointHeader.Data => Config.Data;
    }

    public static void Save(string path, Header header, HstuRanker model, OptimizerHelper? optimizer) =>
        CheckpointFile.Write(path, Magic, header with { DataLocation = System.IO.Path.GetFullPath(header.Config.Data.Path) }, model, optimizer);

    /// <summary>A ranker for inference on the device given (default the CPU).</summary>
    public static (HstuRanker Model, Header Header) Load(string path, TorchSharp.torch.Device? device = null)
    {
        using var r = CheckpointFile.Open(path);
        var header = ReadBoundedHeader(r, path);
        var model = new HstuRanker(header.Config.Model, header.NumItems, header.Tasks.Length);
        CheckpointFile.ReadWeights(r, model, null);
        TorchSharp.ModuleExtensionMethods.to(model, device ?? TorchSharp.torch.CPU);
        model.eval();
        return (model, header);
    }

    /// <summary>The header alone (its length bounded); the reader is left at the weights.</summary>
    public static Header ReadHeader(BinaryReader r, string path) => CheckpointFile.ReadHeader<Header>(r, path, Magic, "ranking");

    /// <summary>The header, its sizes checked against maxima and the weights the file holds before a model is built (<see cref="ModelSizeBounds"/>).</summary>
    private static Header ReadBoundedHeader(BinaryReader r, string path)
    {
        var header = ReadHeader(r, path);
        ModelSizeBounds.CheckRanking(header.Config.Model, header.NumItems, header.Tasks.Length, StoredTensors.Scan(r, path), path);
        return header;
    }

    public static Header Restore(string path, HstuRanker model, OptimizerHelper optimizer)
    {
        using var r = CheckpointFile.Open(path);
        var header = ReadBoundedHeader(r, path);
        CheckpointFile.ReadWeights(r, model, optimizer);
        return header;
    }
}
