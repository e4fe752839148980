using System.Text;
using GenRec.Util;

namespace GenRec.Tests.Data;

/// <summary>A .npy file's header is checked against the file before anything of its claimed size is allocated.</summary>
public class NpyBoundsTests
{
    private static string Write(TempDir dir, string name, byte major, string header, int dataBytes)
    {
        var path = Path.Combine(dir.Path, name);
        using var w = new BinaryWriter(File.Create(path), Encoding.ASCII);
        w.Write([(byte)0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', major, (byte)0]);
        if (major == 1)
        {
            w.Write((ushort)header.Length);
        }
        else
        {
            w.Write((uint)header.Length);
        }

        w.Write(Encoding.ASCII.GetBytes(header));
        w.Write(new byte[dataBytes]);
        return path;
    }

    [Fact]
    public void AShapeLargerThanTheFileIsRefusedBeforeAllocating()
    {
        using var dir = new TempDir();
        var path = Write(dir, "huge.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2000000000, 1000000000), }\n", 64);
        var before = GC.GetTotalAllocatedBytes();
        var error = Assert.Throws<InvalidDataException>(() => NpyFile.Read(path));
        Assert.Contains("does not match the 64 bytes", error.Message);
        Assert.True(GC.GetTotalAllocatedBytes() - before < 16 << 20);
    }

    [Fact]
    public void AHeaderLengthBeyondTheFileIsRefused()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "long-header.npy");
        File.WriteAllBytes(path, [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 2, 0, 0xFF, 0xFF, 0xFF, 0x7F, 1, 2, 3]);
        Assert.Contains("the header claims 2,147,483,647 bytes", Assert.Throws<InvalidDataException>(() => NpyFile.Read(path)).Message);
    }

    [Fact]
    public void AWellFormedFileStillReads()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "ok.npy");
        NpyFile.Write(path, [1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        var (values, rows, cols) = NpyFile.Read(path);
        Assert.Equal((2, 3), (rows, cols));
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], values);
    }
}
