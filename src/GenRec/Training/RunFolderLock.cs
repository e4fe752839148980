namespace GenRec.Training;

/// <summary>
/// One trainer per run folder: <c>&lt;run folder&gt;/.lock</c>, held open with an exclusive OS lock for the whole run
/// (.NET takes <c>flock(LOCK_EX)</c> for <see cref="FileShare.None"/> on Unix), so a second trainer started on the same
/// folder is refused with a clear message instead of interleaving its checkpoints with the first one's. The kernel
/// releases the lock when the process ends however it ends (a <c>kill -9</c> too), so a crashed run never leaves a
/// stale lock behind; <c>.lock.owner</c> beside it names the holder's process id and start time for the message (the
/// locked file itself cannot be read by another process while it is held).
/// </summary>
internal sealed class RunFolderLock : IDisposable
{
    private readonly FileStream file;

    private RunFolderLock(FileStream file) => this.file = file;

    /// <summary>Creates the folder if needed and locks it; throws <see cref="IOException"/> naming the holder when another trainer has it.</summary>
    public static RunFolderLock Acquire(string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, ".lock");
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (File.Exists(path))
        {
            var holder = "another process";
            try
            {
                holder = File.ReadAllText(path + ".owner").Trim() is { Length: > 0 } text ? text : holder;
            }
            catch (IOException)
            {
            }

            throw new IOException($"run folder {folder} is in use by another training ({holder}); wait for it to end, or give another --out", e);
        }

        Util.AtomicFile.WriteAllText(path + ".owner", $"process {Environment.ProcessId} since {DateTimeOffset.UtcNow:u}");
        return new RunFolderLock(file);
    }

    public void Dispose() => file.Dispose();
}
