using GenRec.Training;
using GenRec.Configuration;
using System.Text;
using System.Text.Json;
using GenRec.Util;
using TorchSharp;
using static TorchSharp.torch;
using TorchSharp.Modules;

namespace GenRec.Checkpoints;

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

    /// <summary>Largest JSON header a checkpoint may claim (a run config is a few KiB).</summary>
    public const int MaxHeaderBytes = 16 << 20;

    public static BinaryReader Open(string path) =>
        File.Exists(path) ? new BinaryReader(File.OpenRead(path), Encoding.UTF8) : throw new FileNotFoundException($"checkpoint not found: {path}", path);

    /// <summary>
    /// The magic string and the JSON header. Their lengths are checked against limits and against what
    /// is left of the file before anything is allocated, so a damaged or hostile file is refused at once.
    /// </summary>
    public static THeader ReadHeader<THeader>(BinaryReader r, string path, string magic, string kind)
    {
        if (ReadBoundedString(r, path, "magic string", 64) != magic)
        {
            throw new InvalidDataException($"{path}: not a GenRec {kind} checkpoint");
        }

        var json = ReadBoundedString(r, path, "header", MaxHeaderBytes);
        try
        {
            return JsonSerializer.Deserialize<THeader>(json, RunConfig.Json) ?? throw new InvalidDataException($"{path}: empty checkpoint header");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: damaged checkpoint header: {e.Message}", e);
        }
    }

    /// <summary>A length-prefixed UTF-8 string (BinaryWriter's format) of at most <paramref name="maxBytes"/> that the file really holds.</summary>
    internal static string ReadBoundedString(BinaryReader r, string path, string field, int maxBytes)
    {
        var length = ReadBoundedVarint(r, path, $"length of the {field}", long.MaxValue);
        var left = r.BaseStream.Length - r.BaseStream.Position;
        if (length > maxBytes || length > left)
        {
            throw new InvalidDataException($"{path}: the {field} claims {length:N0} bytes; the file has {left:N0} left and at most {maxBytes:N0} are accepted");
        }

        return Encoding.UTF8.GetString(r.ReadBytes((int)length));
    }

    /// <summary>A 7-bit encoded non-negative integer (BinaryWriter's and TorchSharp's lengths) of at most <paramref name="max"/>.</summary>
    internal static long ReadBoundedVarint(BinaryReader r, string path, string field, long max)
    {
        long value;
        try
        {
            value = r.Read7BitEncodedInt64();
        }
        catch (Exception e) when (e is FormatException or EndOfStreamException)
        {
            throw new InvalidDataException($"{path}: damaged {field}", e);
        }

        return value >= 0 && value <= max ? value : throw new InvalidDataException($"{path}: the {field} is {value:N0} (accepted: 0 to {max:N0})");
    }

    /// <summary>After the header: the weights, and the optimiser state when both the file and the caller have one.</summary>
    public static void ReadWeights(BinaryReader r, nn.Module model, OptimizerHelper? optimizer)
    {
        try
        {
            model.load(r);
            if (r.ReadBoolean() && optimizer is not null)
            {
                optimizer.load_state_dict(r);
            }
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or FormatException or InvalidOperationException)
        {
            var path = r.BaseStream is FileStream file ? file.Name : "checkpoint";
            throw new InvalidDataException($"{path}: truncated or damaged weights ({e.GetType().Name}: {e.Message})", e);
        }
    }
}
