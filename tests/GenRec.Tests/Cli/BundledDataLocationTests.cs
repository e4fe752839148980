namespace GenRec.Tests.Cli;

/// <summary>A checkpoint trained on the tool's bundled data finds it after the tool moved (an upgrade installs it elsewhere).</summary>
public class BundledDataLocationTests
{
    [Fact]
    public void ARecordedBundlePathThatMovedIsFoundInTheCurrentBundle()
    {
        using var bundle = new TempDir();
        bundle.File("data/set-q7/ratings.csv", "userId,movieId,rating,timestamp\n");
        var old = "/opt/old-tool/.store/genrec.cli/0.1.0/tools/net10.0/any/bundled/data/set-q7";
        Assert.Equal(Path.Combine(bundle.Path, "data/set-q7"), GenRec.Checkpoints.CheckpointDataLocator.Find(old, old, "/nowhere/run/best.ckpt", bundle.Path));
        Assert.Equal("data/set-q7", GenRec.Checkpoints.CheckpointDataLocator.BundledTail("data/set-q7"));
        Assert.Null(GenRec.Checkpoints.CheckpointDataLocator.BundledTail("/srv/data/set-q7"));
        Assert.Throws<FileNotFoundException>(() => GenRec.Checkpoints.CheckpointDataLocator.Find("/srv/data/set-q7", null, "/nowhere/run/best.ckpt", bundle.Path));
    }
}
