using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GenRec.Data.Preparation;
using GenRec.Util;

namespace GenRec.Data;

/// <summary>
/// A compact binary file of a prepared dataset (<c>.grd</c>). Written atomically; the cache key
/// hashes the input files' bytes and the preparation options, so a changed input or option
/// prepares anew and an unchanged one is read back. The file ends with the SHA-256 of everything before it: a
/// damaged file (a flipped byte, a partial copy) is detected before it is parsed, and every count it holds is checked
/// against the bytes left before an array is allocated. A damaged cache is prepared again (<see cref="DatasetLoader"/>);
/// a damaged prepared file named by the user is a clear error.
/// </summary>
internal static class DatasetCache
{
    private const string Magic = "GENRECDS";
    private const int Version = 2;                                               // 2: the SHA-256 trailer
    private const int DigestBytes = 32;

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

        using var hashing = new HashingStream(stream);
        var buffered = new BufferedStream(hashing, 1 << 20); // flushed below, not disposed: that would close the caller's stream
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
        stream.Write(hashing.Digest());                                              // the trailer: SHA-256 of all the bytes above
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
        UnixFile.RequireRegular(path, "prepared dataset");                           // a FIFO would block the open below
        using var stream = File.OpenRead(path);
        VerifyDigest(stream, path);
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
            var users = ReadStrings(r, path);
            var items = ReadStrings(r, path);
            var sequences = new int[Count(r, path, "users", 4)][];
            for (var u = 0; u < sequences.Length; u++)
            {
                sequences[u] = new int[Count(r, path, $"length of user {u}'s sequence", 4)];
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
                var categories = ReadStrings(r, path);
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

    /// <summary>Checks the SHA-256 trailer against the bytes before it (the file is read once, streaming).</summary>
    private static void VerifyDigest(FileStream stream, string path)
    {
        if (stream.Length < DigestBytes)
        {
            throw new InvalidDataException($"{path}: truncated prepared dataset ({stream.Length} bytes); delete it and prepare again");
        }

        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        for (long left = stream.Length - DigestBytes; left > 0;)
        {
            var read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            sha.AppendData(buffer, 0, read);
            left -= read;
        }

        var stored = new byte[DigestBytes];
        stream.ReadExactly(stored);
        if (!CryptographicOperations.FixedTimeEquals(sha.GetHashAndReset(), stored))
        {
            throw new InvalidDataException($"{path}: damaged or truncated prepared dataset (its SHA-256 does not match its contents, or an older GenRec wrote it); delete it and prepare again");
        }

        stream.Position = 0;
    }

    /// <summary>A count read from the file, refused when its elements (of at least <paramref name="bytesEach"/> bytes) cannot fit in what is left.</summary>
    private static int Count(BinaryReader r, string path, string field, int bytesEach)
    {
        var count = r.ReadInt32();
        var left = r.BaseStream.Length - DigestBytes - r.BaseStream.Position;
        return count >= 0 && (long)count * bytesEach <= left
            ? count
            : throw new InvalidDataException($"{path}: damaged prepared dataset: {field} is {count:N0}, more than the {left:N0} bytes left can hold");
    }

    private static void WriteStrings(BinaryWriter w, IReadOnlyList<string> values)
    {
        w.Write(values.Count);
        foreach (var v in values)
        {
            w.Write(v);
        }
    }

    private static string[] ReadStrings(BinaryReader r, string path)
    {
        var values = new string[Count(r, path, "a string count", 1)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = r.ReadString();
        }

        return values;
    }
}
