namespace GenRec.Serving;

/// <summary>
/// Finds a checkpoint's dataset from any working folder. A run config stores the data path as given
/// (often relative to the repository); the checkpoint also records where that was when it was written.
/// Tried in order: the path as given (absolute, or relative to the working folder), the recorded absolute
/// location, then the path relative to the checkpoint's folder and each folder above it.
/// </summary>
internal static class DataLocator
{
    public static string Find(string configured, string? recorded, string checkpoint)
    {
        if (Exists(configured))
        {
            return configured;
        }

        if (recorded is not null && Exists(recorded))
        {
            return recorded;
        }

        if (!Path.IsPathRooted(configured))
        {
            for (var dir = Path.GetDirectoryName(Path.GetFullPath(checkpoint)); dir is not null; dir = Path.GetDirectoryName(dir))
            {
                var candidate = Path.Combine(dir, configured);
                if (Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException(
            $"{checkpoint}: its dataset '{configured}' is not under the working folder ({Environment.CurrentDirectory})" +
            $"{(recorded is null ? "" : $", not at {recorded} (where it was at training time)")}, nor relative to the checkpoint's folders");
    }

    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);
}
