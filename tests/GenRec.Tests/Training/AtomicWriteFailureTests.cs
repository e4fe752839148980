using GenRec.Util;

namespace GenRec.Tests.Training;

/// <summary>A write that fails half-way (a full disk, injected here) leaves the previous file whole and no temporary behind.</summary>
public class AtomicWriteFailureTests
{
    [Fact]
    public void AFailedWriteKeepsThePreviousCheckpointAndCleansUp()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "last.ckpt");
        AtomicFile.Write(path, s => s.Write([1, 2, 3, 4]));
        var error = Assert.Throws<IOException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[1 << 16]);
            throw new IOException("No space left on device");                               // what the disk says when full
        }));
        Assert.Equal("No space left on device", error.Message);
        Assert.Equal([1, 2, 3, 4], File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }
}
