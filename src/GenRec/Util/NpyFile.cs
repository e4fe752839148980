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
        int headerLength = major == 1 ? r.ReadUInt16() : (int)r.ReadUInt32();
        var header = Encoding.ASCII.GetString(r.ReadBytes(headerLength));
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

        var rows = int.Parse(shape.Groups[1].Value);
        var cols = int.Parse(shape.Groups[2].Value);
        var bytes = r.ReadBytes(checked(rows * cols * sizeof(float)));
        if (bytes.Length != rows * cols * sizeof(float))
        {
            throw new InvalidDataException($"{path}: expected {rows} x {cols} float32 values, the file ends after {bytes.Length / sizeof(float)}");
        }

        var values = new float[rows * cols];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return (values, rows, cols);
    }

    [GeneratedRegex(@"'shape':\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)")]
    private static partial Regex ShapePattern();
}
