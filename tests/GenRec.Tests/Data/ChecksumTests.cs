using GenRec.Data.Download;

namespace GenRec.Tests.Data;

public class ChecksumTests
{
    [Fact]
    public void DigestsMatchKnownValues()
    {
        using var dir = new TempDir();
        var path = dir.File("hello.txt", "hello\n");
        Assert.Equal("ce013625030ba8dba906f756967f9e9ca394464a", Checksums.GitBlob(path)); // git hash-object
        Assert.Equal("b1946ac92492d2347c6235b4d2611184", Checksums.Md5(path));
        Assert.Equal("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03", Checksums.Sha256(path));
    }

    [Fact]
    public void ParsesBothMd5FileStylesAndRejectsOthers()
    {
        Assert.Equal("c4d9eecfca2ab87c1945afe126590906", Checksums.ParseMd5File("MD5 (ml-1m.zip) = c4d9eecfca2ab87c1945afe126590906\n"));
        Assert.Equal("c4d9eecfca2ab87c1945afe126590906", Checksums.ParseMd5File("C4D9EECFCA2AB87C1945AFE126590906  ml-1m.zip"));
        Assert.Throws<InvalidDataException>(() => Checksums.ParseMd5File("<html>not found</html>"));
    }

    [Fact]
    public void MismatchNamesTheFile()
    {
        var e = Assert.Throws<InvalidDataException>(() => Checksums.Verify("MD5", "x.zip", "aa", "bb"));
        Assert.Contains("x.zip", e.Message);
        Assert.Contains("expected aa", e.Message);
        Assert.Throws<ArgumentException>(() => DownloadSource.Find("ml-2b"));
    }
}
