using System.Text;
using System.Text.RegularExpressions;

namespace GenRec.Util;

/// <summary>
/// Reads and writes 2-D float32 arrays in NumPy's <c>.npy</c> format (version 1.0, little-endian,
/// C order), so embeddings move to and from Python tools. Writes are atomic.
/// </summary>
internal static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static void Write(string path, float[] values, int rows, int cols)
    {
        if ((long)rows * cols != values.Length)
        {
            throw new ArgumentException($"{rows} x {cols} does not match {values.Length} values");
        }

        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {cols}), }}";
        var unpadded = Magic.Length + 2 + 2 + header.Length + 1;
        header = header.PadRight(header.Length + ((64 - (unpadded % 64)) % 64)) + "\n";
        AtomicFile.Write(path, stream =>
        {
            using var w = new BinaryWriter(stream, Encoding.ASCII, leaveOpen: true);
            w.Write(Magic);
            w.Write((byte)1);
            w.Write((byte)0);
            w.Write((ushort)header.Length);
            w.Write(Encoding.ASCII.GetBytes(header));
            var bytes = new byte[values.Length * sizeof(float)];
            Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
            w.Write(bytes);
        });
    }

    /// <summary>Largest header accepted (numpy writes well under 1 KiB).</summary>
    public const int MaxHeaderBytes = 64 << 10;

    /// <summary>A 2-D float32 array; the header's sizes are checked against the file's length before anything is allocated.</summary>
    public static (float[] Values, int Rows, int Cols) Read(string path)
    {
        using var r = new BinaryReader(File.OpenRead(path), Encoding.ASCII);
        var magic = r.ReadBytes(Magic.Length);
        if (!magic.AsSpan().SequenceEqual(Magic))
        {
            throw new InvalidDataException($"{path}: not a .npy file");
        }

        var major = r.ReadByte();
        r.ReadByte();
        long headerLength = major == 1 ? r.ReadUInt16() : r.ReadUInt32();
        if (headerLength > MaxHeaderBytes || headerLength > r.BaseStream.Length - r.BaseStream.Position)
        {
            throw new InvalidDataException($"{path}: the header claims {headerLength:N0} bytes (at most {MaxHeaderBytes:N0}, and no more than the file holds)");
        }

        var header = Encoding.ASCII.GetString(r.ReadBytes((int)headerLength));
        if (!header.Contains("'descr': '<f4'", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: header field 'descr' must be '<f4' (float32, little-endian): {header.Trim()}");
        }

        if (header.Contains("'fortran_order': True", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: header field 'fortran_order' must be False");
        }

        var shape = ShapePattern().Match(header);
        if (!shape.Success)
        {
            throw new InvalidDataException($"{path}: header field 'shape' must be 2-D (rows, cols): {header.Trim()}");
        }

        // The shape against the bytes really there, before anything of that size is allocated.
        var left = r.BaseStream.Length - r.BaseStream.Position;
        if (!int.TryParse(shape.Groups[1].Value, out var rows) || !int.TryParse(shape.Groups[2].Value, out var cols) || (long)rows * cols * sizeof(float) != left || left > Array.MaxLength)
        {
            throw new InvalidDataException($"{path}: header field 'shape' ({shape.Groups[1].Value}, {shape.Groups[2].Value}) does not match the {left:N0} bytes of float32 values the file holds");
        }

        var bytes = r.ReadBytes((int)left);

        var values = new float[rows * cols];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return (values, rows, cols);
    }

    [GeneratedRegex(@"'shape':\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)")]
    private static partial Regex ShapePattern();
}
