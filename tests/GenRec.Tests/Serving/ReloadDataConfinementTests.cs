using GenRec.Configuration;
using GenRec.AspNetCore;
using GenRec.Models;
using GenRec.Serving;
using GenRec.Training;
using static TorchSharp.torch;

namespace GenRec.Tests.Serving;

/// <summary>
/// A reloaded checkpoint's recorded dataset must be the served one or lie under the model root: a checkpoint dropped in
/// the model root cannot make the service read files elsewhere. The location comes from the header alone.
/// </summary>
public class ReloadDataConfinementTests
{
    private static string Checkpoint(string path, string dataPath)
    {
        manual_seed(1);
        var config = GenRec.Tests.Training.TrainingTests.SmallRun(1) with { Data = new DataConfig { Path = dataPath } };
        using var model = new SequentialRecommender(config.Model, 10);
        GenRec.Checkpoints.RetrievalCheckpoint.Save(path, config, model, null, new TrainingState());
        return path;
    }

    [Fact]
    public void ADatasetOutsideTheRootThatIsNotTheServedOneIsRefusedBeforeItIsRead()
    {
        using var dir = new TempDir();
        var root = Path.Combine(dir.Path, "models");
        var served = Path.GetDirectoryName(dir.File("served-data/ratings.dat", "1::1::5::1\n"))!;
        var elsewhere = Path.GetDirectoryName(dir.File("elsewhere/ratings.dat", "secret::line::here::1\n"))!;
        var inside = Path.GetDirectoryName(dir.File("models/data/ratings.dat", "1::1::5::1\n"))!;
        var guard = new ModelPathGuard(root, 10 << 20);

        var hostile = Checkpoint(Path.Combine(root, "hostile.ckpt"), elsewhere);
        Assert.Equal(elsewhere, GenRec.Checkpoints.Checkpoint.DataLocationOf(hostile));
        var refused = Assert.Throws<RequestException>(() => guard.CheckData(GenRec.Checkpoints.Checkpoint.DataLocationOf(hostile), served));
        Assert.Equal(403, refused.StatusCode);
        Assert.DoesNotContain("secret", refused.Message);

        guard.CheckData(GenRec.Checkpoints.Checkpoint.DataLocationOf(Checkpoint(Path.Combine(root, "same.ckpt"), served)), served);   // the served dataset
        guard.CheckData(GenRec.Checkpoints.Checkpoint.DataLocationOf(Checkpoint(Path.Combine(root, "inside.ckpt"), inside)), served);  // under the root
    }
}
