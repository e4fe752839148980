using GenRec.Training;
namespace GenRec.Checkpoints;

/// <summary>
/// Finds a checkpoint's dataset from any working folder. A run config stores the data path as given
/// (often relative to the repository); the checkpoint also records where that was when it was written.
/// Tried in order: the path as given (absolute, or relative to the working folder), the recorded absolute
/// location, then the path relative to the checkpoint's folder and each folder above it, and last the data that ships
/// beside the executable (the genrec tool's <c>bundled/</c>): a checkpoint trained on the tool's bundled dataset still
/// finds it after the tool was upgraded, which installs it in another folder.
/// </summary>
internal static class CheckpointDataLocator
{
    public static string Find(string configured, string? recorded, string checkpoint, string? bundleRoot = null)
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

        foreach (var path in new[] { configured, recorded })
        {
            if (path is not null && BundledTail(path) is { } tail && Path.Combine(bundleRoot ?? BundleRoot, tail) is var bundled && Exists(bundled))
            {
                return bundled;
            }
        }

        throw new FileNotFoundException(
            $"{checkpoint}: its dataset '{configured}' is not under the working folder ({Environment.CurrentDirectory})" +
            $"{(recorded is null ? "" : $", not at {recorded} (where it was at training time)")}, nor relative to the checkpoint's folders");
    }

    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);

    internal static string BundleRoot { get; } = Path.Combine(AppContext.BaseDirectory, "bundled");

    /// <summary>The part of a path below a <c>bundled/</c> folder, or a relative path as it is; null for other absolute paths.</summary>
    internal static string? BundledTail(string path)
    {
        var normalized = path.Replace('\\', '/');
        var at = normalized.LastIndexOf("/bundled/", StringComparison.Ordinal);
        return at >= 0 ? normalized[(at + "/bundled/".Length)..] : Path.IsPathRooted(path) ? null : path;
    }
}
