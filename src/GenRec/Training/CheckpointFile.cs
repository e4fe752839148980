using System.Text;
using System.Text.Json;
using GenRec.Util;
using TorchSharp;
using static TorchSharp.torch;
using TorchSharp.Modules;

namespace GenRec.Training;

/// <summary>
/// The layout all GenRec checkpoints share: a magic string naming the kind, a JSON header, the
/// module's weights, then a flag and the optimiser state (for resuming). Written atomically.
/// </summary>
internal static class CheckpointFile
{
    public static void Write<THeader>(string path, string magic, THeader header, nn.Module model, OptimizerHelper? optimizer) =>
        AtomicFile.Write(path, stream =>
        {
            using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            w.Write(magic);
            w.Write(JsonSerializer.Serialize(header, RunConfig.Json));
            model.save(w);
            w.Write(optimizer is not null);
            optimizer?.save_state_dict(w);
        });

    public static BinaryReader Open(string path) =>
        File.Exists(path) ? new BinaryReader(File.OpenRead(path), Encoding.UTF8) : throw new FileNotFoundException($"checkpoint not found: {path}", path);

    public static THeader ReadHeader<THeader>(BinaryReader r, string path, string magic, string kind) =>
        r.ReadString() == magic
            ? JsonSerializer.Deserialize<THeader>(r.ReadString(), RunConfig.Json) ?? throw new InvalidDataException($"{path}: empty checkpoint header")
            : throw new InvalidDataException($"{path}: not a GenRec {kind} checkpoint");

    /// <summary>After the header: the weights, and the optimiser state when both the file and the caller have one.</summary>
    public static void ReadWeights(BinaryReader r, nn.Module model, OptimizerHelper? optimizer)
    {
        model.load(r);
        if (r.ReadBoolean() && optimizer is not null)
        {
            optimizer.load_state_dict(r);
        }
    }
}
