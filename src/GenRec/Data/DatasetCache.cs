using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GenRec.Data.Preparation;
using GenRec.Util;

namespace GenRec.Data;

/// <summary>
/// A compact binary file of a prepared dataset (<c>.grd</c>). Written atomically; the cache key
/// hashes the input files' bytes and the preparation options, so a changed input or option
/// prepares anew and an unchanged one is read back.
/// </summary>
internal static class DatasetCache
{
    private const string Magic = "GENRECDS";
    private const int Version = 1;

    public static string Key(DatasetFiles files, PrepareOptions options)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s) => sha.AppendData(Encoding.UTF8.GetBytes(s + "\n"));
        Add($"v{Version}");
        Add(files.Format.ToString());
        Add(JsonSerializer.Serialize(options));
        foreach (var file in new[] { files.Interactions, files.Metadata })
        {
            if (file is null)
            {
                Add("-");
                continue;
            }

            Add(Path.GetFileName(file));
            using var stream = File.OpenRead(file);
            var buffer = new byte[1 << 20];
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                sha.AppendData(buffer, 0, read);
            }
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset())[..24];
    }

    public static void Save(SequenceDataset data, string path) => WriteStreamed(
        path, data.Name, data.Report, data.UserKeys, data.ItemKeys,
        w =>
        {
            foreach (var s in data.Sequences)
            {
                w.Write(s.Length);
                foreach (var v in s)
                {
                    w.Write(v);
                }
            }
        },
        data.Ratings is null ? null : w => WriteAll(w, data.Ratings, (writer, v) => writer.Write(v)),
        data.Timestamps is null ? null : w => WriteAll(w, data.Timestamps, (writer, v) => writer.Write(v)),
        data.Items);

    private static void WriteAll<T>(BinaryWriter w, T[][] rows, Action<BinaryWriter, T> write)
    {
        foreach (var row in rows)
        {
            foreach (var v in row)
            {
                write(w, v);
            }
        }
    }

    /// <summary>
    /// Writes a prepared dataset whose sequences are produced as they are written (larger-than-memory preparation):
    /// the layout <see cref="Load"/> reads (<see cref="Save"/> writes through it). <paramref name="sequences"/> writes, per user in order, the length and then
    /// the item ids; <paramref name="ratings"/> and <paramref name="timestamps"/>, when given, every value in the same order.
    /// </summary>
    internal static void WriteStreamed(string path, string name, PreparationReport report, IReadOnlyList<string> userKeys, IReadOnlyList<string> itemKeys,
        Action<BinaryWriter> sequences, Action<BinaryWriter>? ratings, Action<BinaryWriter>? timestamps, IReadOnlyList<ItemMetadata?>? items = null) => AtomicFile.Write(path, stream =>
    {
        if (items is not null && items.Count != itemKeys.Count)
        {
            throw new ArgumentException($"{items.Count} item metadata entries for {itemKeys.Count} item keys", nameof(items));
        }

        var buffered = new BufferedStream(stream, 1 << 20); // flushed below, not disposed: that would close the caller's stream
        using var w = new BinaryWriter(buffered, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(Version);
        w.Write(name);
        w.Write(JsonSerializer.Serialize(report));
        WriteStrings(w, userKeys);
        WriteStrings(w, itemKeys);
        w.Write(userKeys.Count);
        sequences(w);
        w.Write(ratings is not null);
        ratings?.Invoke(w);
        w.Write(timestamps is not null);
        timestamps?.Invoke(w);
        for (var i = 0; i < itemKeys.Count; i++)
        {
            WriteMetadata(w, items?[i]);
        }

        w.Flush();
        buffered.Flush();
    });

    private static void WriteMetadata(BinaryWriter w, ItemMetadata? m)
    {
        w.Write(m is not null);
        if (m is null)
        {
            return;
        }

        w.Write(m.Title);
        WriteStrings(w, m.Categories);
        w.Write(m.Brand ?? "");
        w.Write(m.Price ?? double.NaN);
    }

    public static SequenceDataset Load(string path)
    {
        using var stream = File.OpenRead(path);
        using var r = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            if (r.ReadString() != Magic)
            {
                throw new InvalidDataException($"{path}: not a GenRec prepared dataset (bad magic)");
            }

            var version = r.ReadInt32();
            if (version != Version)
            {
                throw new InvalidDataException($"{path}: prepared-dataset version {version}, this GenRec reads version {Version}; prepare it again");
            }

            var name = r.ReadString();
            var report = JsonSerializer.Deserialize<PreparationReport>(r.ReadString())!;
            var users = ReadStrings(r);
            var items = ReadStrings(r);
            var sequences = new int[r.ReadInt32()][];
            for (var u = 0; u < sequences.Length; u++)
            {
                sequences[u] = new int[r.ReadInt32()];
                for (var i = 0; i < sequences[u].Length; i++)
                {
                    sequences[u][i] = r.ReadInt32();
                }
            }

            float[][]? ratings = null;
            if (r.ReadBoolean())
            {
                ratings = sequences.Select(s => Enumerable.Range(0, s.Length).Select(_ => r.ReadSingle()).ToArray()).ToArray();
            }

            long[][]? timestamps = null;
            if (r.ReadBoolean())
            {
                timestamps = sequences.Select(s => Enumerable.Range(0, s.Length).Select(_ => r.ReadInt64()).ToArray()).ToArray();
            }

            var meta = new ItemMetadata?[items.Length];
            for (var i = 0; i < meta.Length; i++)
            {
                if (!r.ReadBoolean())
                {
                    continue;
                }

                var title = r.ReadString();
                var categories = ReadStrings(r);
                var brand = r.ReadString();
                var price = r.ReadDouble();
                meta[i] = new ItemMetadata(title, categories, brand.Length == 0 ? null : brand, double.IsNaN(price) ? null : price);
            }

            return new SequenceDataset(name, users, items, sequences, ratings, timestamps, meta, report);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"{path}: truncated prepared dataset; delete it and prepare again");
        }
    }

    private static void WriteStrings(BinaryWriter w, IReadOnlyList<string> values)
    {
        w.Write(values.Count);
        foreach (var v in values)
        {
            w.Write(v);
        }
    }

    private static string[] ReadStrings(BinaryReader r)
    {
        var values = new string[r.ReadInt32()];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = r.ReadString();
        }

        return values;
    }
}
