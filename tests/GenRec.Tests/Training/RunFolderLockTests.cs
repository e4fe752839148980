using GenRec.Training;

namespace GenRec.Tests.Training;

/// <summary>One trainer per run folder: a second one is refused with a clear message; the lock ends with its holder.</summary>
public class RunFolderLockTests
{
    [Fact]
    public void ASecondTrainerOnTheSameRunFolderIsRefusedUntilTheFirstEnds()
    {
        using var dir = new TempDir();
        var folder = Path.Combine(dir.Path, "run");
        using (RunFolderLock.Acquire(folder))
        {
            var error = Assert.Throws<IOException>(() => RunFolderLock.Acquire(folder));
            Assert.Contains($"run folder {folder} is in use by another training (process {Environment.ProcessId} since", error.Message);

            // The trainer takes the same lock before anything else: nothing of the run folder is touched.
            var refused = Assert.Throws<IOException>(() => Trainer.Run(TrainingTests.SmallRun(1), TrainingTests.CycleDataset(users: 20, items: 10), folder));
            Assert.Contains("in use by another training", refused.Message);
            Assert.False(File.Exists(Path.Combine(folder, "config.json")));
        }

        using var again = RunFolderLock.Acquire(folder);                                  // released with its holder
    }
}
