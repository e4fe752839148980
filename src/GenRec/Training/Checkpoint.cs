using System.Text;
using System.Text.Json;
using GenRec.Models;
using GenRec.Util;
using TorchSharp.Modules;

namespace GenRec.Training;

/// <summary>
/// A checkpoint file: run config, item count and training state as JSON, the model weights, and
/// optionally the optimiser state (for resuming). Written atomically (temp file + rename).
/// </summary>
internal static class Checkpoint
{
    private const string Magic = "GENRECCK1";

    public sealed record Header(RunConfig Config, int NumItems, TrainingState State);

    public static void Save(string path, RunConfig config, SequentialRecommender model, OptimizerHelper? optimizer, TrainingState state) =>
        AtomicFile.Write(path, stream =>
        {
            using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            w.Write(Magic);
            w.Write(JsonSerializer.Serialize(new Header(config, model.NumItems, state), RunConfig.Json));
            model.save(w);
            w.Write(optimizer is not null);
            optimizer?.save_state_dict(w);
        });

    public static Header ReadHeader(BinaryReader r, string path)
    {
        if (r.ReadString() != Magic)
        {
            throw new InvalidDataException($"{path}: not a GenRec checkpoint");
        }

        return JsonSerializer.Deserialize<Header>(r.ReadString(), RunConfig.Json) ?? throw new InvalidDataException($"{path}: empty checkpoint header");
    }

    /// <summary>Loads a model for inference.</summary>
    public static (SequentialRecommender Model, Header Header) LoadModel(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"checkpoint not found: {path}", path);
        }

        using var r = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
        var header = ReadHeader(r, path);
        var model = new SequentialRecommender(header.Config.Model, header.NumItems);
        model.load(r);
        model.eval();
        return (model, header);
    }

    /// <summary>Restores weights and optimiser state into existing objects, for resuming.</summary>
    public static Header Restore(string path, SequentialRecommender model, OptimizerHelper optimizer)
    {
        using var r = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
        var header = ReadHeader(r, path);
        model.load(r);
        if (r.ReadBoolean())
        {
            optimizer.load_state_dict(r);
        }

        return header;
    }
}
