using GenRec.Data;

namespace GenRec.Tests.Data;

/// <summary>A prepared dataset's SHA-256 trailer and bounded counts: a damaged cache is detected and prepared again, never read.</summary>
public class DatasetCacheIntegrityTests
{
    private static (DatasetRequest Request, string CacheFolder) Request(TempDir dir)
    {
        dir.File("ml/ratings.dat", "1::10::5::3\n1::11::4::1\n2::10::3::2\n2::12::3::5\n3::10::1::1\n3::12::2::4\n");
        var cache = Path.Combine(dir.Path, "cache");
        return (new DatasetRequest(Path.Combine(dir.Path, "ml")) { CacheDir = cache }, cache);
    }

    [Fact]
    public void AFlippedByteInTheCacheIsDetectedAndTheDatasetPreparedAgain()
    {
        using var dir = new TempDir();
        var (request, cache) = Request(dir);
        var first = DatasetLoader.Load(request);
        var file = Assert.Single(Directory.GetFiles(cache));

        // A flipped bit in a sequence (parses without error: only the checksum can see it).
        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length - 60] ^= 0x01;
        File.WriteAllBytes(file, bytes);
        Assert.Contains("SHA-256 does not match", Assert.Throws<InvalidDataException>(() => DatasetCache.Load(file)).Message);

        var messages = new List<string>();
        var again = DatasetLoader.Load(request, messages.Add);
        Assert.Contains(messages, m => m.StartsWith("cache unreadable", StringComparison.Ordinal) && m.Contains("damaged or truncated prepared dataset", StringComparison.Ordinal));
        Assert.Equal(first.Sequences, again.Sequences);
        Assert.Equal(first.ItemKeys, again.ItemKeys);
        Assert.Equal(first.Sequences, DatasetCache.Load(file).Sequences);                  // rewritten whole
    }

    [Fact]
    public void ATruncatedPreparedFileNamedByTheUserIsAClearError()
    {
        using var dir = new TempDir();
        var (request, cache) = Request(dir);
        DatasetLoader.Load(request);
        var file = Assert.Single(Directory.GetFiles(cache));
        var named = Path.Combine(dir.Path, "mine.grd");
        File.WriteAllBytes(named, File.ReadAllBytes(file)[..^10]);
        var error = Assert.Throws<InvalidDataException>(() => DatasetLoader.Load(new DatasetRequest(named)));
        Assert.Contains(named, error.Message);
        Assert.Contains("prepare again", error.Message);
    }

    /// <summary>A file whose checksum is right but whose counts claim more than it holds is refused before allocating.</summary>
    [Fact]
    public void ACountBeyondTheFileIsRefusedBeforeAnArrayIsAllocated()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "hostile.grd");
        DatasetCache.WriteStreamed(path, "hostile", new PreparationReport("s", "f", 0, 0, 0, 0, "iterative", 0, 0, 0, 0, 0, 0), ["u"], ["i"], w => w.Write(int.MaxValue), null, null);
        var before = GC.GetTotalAllocatedBytes();
        var error = Assert.Throws<InvalidDataException>(() => DatasetCache.Load(path));
        Assert.Contains("length of user 0's sequence is 2,147,483,647", error.Message);
        Assert.True(GC.GetTotalAllocatedBytes() - before < 16 << 20, "allocated more than 16 MB");
    }
}
