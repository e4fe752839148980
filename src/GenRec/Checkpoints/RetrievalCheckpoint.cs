using GenRec.Training;
using GenRec.Configuration;
using GenRec.Models;
using TorchSharp;
using TorchSharp.Modules;

namespace GenRec.Checkpoints;

/// <summary>
/// A retrieval checkpoint: run config, item count and training state as JSON, the model weights, and
/// optionally the optimiser state (for resuming). Written atomically (temp file + rename). Callers that
/// serve or evaluate open it through <see cref="Checkpoint.Open"/>, which also finds its dataset.
/// </summary>
internal static class RetrievalCheckpoint
{
    public const string Magic = "GENRECCK1";

    /// <summary>
    /// The header: run config, item count, training state, and where the data was when the checkpoint was
    /// written (absolute), so that a service started from another folder still finds it.
    /// </summary>
    public sealed record Header(RunConfig Config, int NumItems, TrainingState State, string? DataLocation = null) : ICheckpointHeader
    {
        DataConfig ICheckpointHeader.Data => Config.Data;
    }

    public static void Save(string path, RunConfig config, SequentialRecommender model, OptimizerHelper? optimizer, TrainingState state) =>
        CheckpointFile.Write(path, Magic, new Header(config, model.NumItems, state, System.IO.Path.GetFullPath(config.Data.Path)), model, optimizer);

    public static Header ReadHeader(BinaryReader r, string path) => CheckpointFile.ReadHeader<Header>(r, path, Magic, "retrieval");

    /// <summary>
    /// The header, with every size it claims checked against configured maxima and against the weights the file holds
    /// (<see cref="ModelSizeBounds"/>), before anything is built from it; the reader is left at the weights.
    /// </summary>
    public static Header ReadBoundedHeader(BinaryReader r, string path)
    {
        var header = ReadHeader(r, path);
        ModelSizeBounds.Check(header.Config.Model, header.NumItems, StoredTensors.Scan(r, path), path);
        return header;
    }

    /// <summary>Loads a model for inference, on the device given (default the CPU); the file does not depend on the device it was saved from.</summary>
    public static (SequentialRecommender Model, Header Header) LoadModel(string path, TorchSharp.torch.Device? device = null)
    {
        try
        {
            return LoadAs(path, device, encoder: null);
        }
        catch (InvalidDataException) when (PeekEncoder(path) == "sasrec")
        {
            // Written before SASRec had two variants: its "sasrec" was today's "sasrec_affine" (norm scales, a final norm).
            return LoadAs(path, device, encoder: "sasrec_affine");
        }
    }

    private static (SequentialRecommender Model, Header Header) LoadAs(string path, TorchSharp.torch.Device? device, string? encoder)
    {
        using var r = CheckpointFile.Open(path);
        var header = ReadBoundedHeader(r, path);
        if (encoder is not null)
        {
            header = header with { Config = header.Config with { Model = header.Config.Model with { Encoder = encoder } } };
        }

        var model = new SequentialRecommender(header.Config.Model, header.NumItems);
        try
        {
            CheckpointFile.ReadWeights(r, model, null);
        }
        catch
        {
            model.Dispose();
            throw;
        }

        model.to(device ?? TorchSharp.torch.CPU);
        model.eval();
        return (model, header);
    }

    private static string PeekEncoder(string path)
    {
        using var r = CheckpointFile.Open(path);
        return ReadHeader(r, path).Config.Model.Encoder;
    }

    /// <summary>Restores weights and optimiser state into existing objects, for resuming.</summary>
    public static Header Restore(string path, SequentialRecommender model, OptimizerHelper optimizer)
    {
        using var r = CheckpointFile.Open(path);
        var header = ReadBoundedHeader(r, path);
        CheckpointFile.ReadWeights(r, model, optimizer);
        return header;
    }
}
