using GenRec.Cli.Commands;

namespace GenRec.Tests.Cli;

/// <summary>The configs and dataset inside the command: <c>--config</c> by name, data read from the bundle, files first.</summary>
public class BundledFilesTests
{
    [Fact]
    public void AConfigNameResolvesToTheBundledFileInAnyOfItsSpellings()
    {
        using var bundle = new TempDir();
        var file = bundle.File("configs/tiny.json", "{}");
        Assert.Equal(file, BundledFiles.Config("tiny", bundle.Path));
        Assert.Equal(file, BundledFiles.Config("tiny.json", bundle.Path));
        Assert.Equal(file, BundledFiles.Config("configs/tiny.json", bundle.Path));
    }

    [Fact]
    public void AnExistingFileWinsOverTheBundle()
    {
        using var bundle = new TempDir();
        bundle.File("configs/tiny.json", "{}");
        using var mine = new TempDir();
        var own = mine.File("tiny.json", "{}");
        Assert.Equal(own, BundledFiles.Config(own, bundle.Path));
    }

    [Fact]
    public void AnUnknownConfigNamesTheBuiltInOnes()
    {
        using var bundle = new TempDir();
        bundle.File("configs/tiny.json", "{}");
        bundle.File("configs/quickstart.json", "{}");
        var error = Assert.Throws<FileNotFoundException>(() => BundledFiles.Config("nope", bundle.Path));
        Assert.Contains("config not found: nope", error.Message);
        Assert.Contains("built-in: quickstart, tiny", error.Message);

        // A path in another folder is not taken for a built-in name.
        Assert.Throws<FileNotFoundException>(() => BundledFiles.Config("elsewhere/tiny.json", bundle.Path));
    }

    [Fact]
    public void ARelativeDataPathMissingHereIsReadFromTheBundle()
    {
        using var bundle = new TempDir();
        bundle.File("data/set-x9/ratings.csv", "userId,movieId,rating,timestamp\n");
        Assert.Equal(Path.Combine(bundle.Path, "data/set-x9"), BundledFiles.DataPath("data/set-x9", bundle.Path));
        Assert.Equal("data/elsewhere-x9", BundledFiles.DataPath("data/elsewhere-x9", bundle.Path));       // in neither: as given, for the loader's error
        Assert.Equal("/abs/path", BundledFiles.DataPath("/abs/path", bundle.Path));
    }

    [Fact]
    public void TheBuildBundlesEveryRepositoryConfigAndTheQuickstartData()
    {
        var names = BundledFiles.ConfigNames();
        Assert.Contains("quickstart", names);
        Assert.Contains("ml-1m-sasrec", names);
        Assert.True(File.Exists(Path.Combine(BundledFiles.Root, "data", "ml-latest-small", "ratings.csv")));
        Assert.True(File.Exists(Path.Combine(BundledFiles.Root, "data", "ml-latest-small", "README.txt")));          // GroupLens' terms travel with the data
    }
}
