using GenRec.Checkpoints;
using GenRec.Serving;
using GenRec.Util;

namespace GenRec.AspNetCore;

/// <summary>
/// Which files a reload may read: regular files inside the model root (after every symbolic link is
/// resolved), no larger than a limit. Checked before the file is opened, so a FIFO, a device, a
/// directory or a huge file is refused without being touched. A path outside the root is refused with
/// the same answer whether or not it exists, so reloads cannot probe the file system.
/// </summary>
internal sealed class ModelPathGuard
{
    private readonly string root;
    private readonly long maxBytes;

    public ModelPathGuard(string root, long maxBytes)
    {
        this.root = UnixFile.RealPath(Path.GetFullPath(root)) ?? throw new DirectoryNotFoundException($"model root not found: {root}");
        this.maxBytes = maxBytes;
    }

    public string Root => root;

    /// <summary>The resolved path of <paramref name="requested"/> (relative to the root, or absolute), or a 4xx naming <paramref name="field"/>.</summary>
    public string Resolve(string requested, string field)
    {
        if (requested.Length == 0 || requested.Length > 4_096 || requested.Contains('\0'))
        {
            throw new RequestException(400, $"field '{field}': not a usable path");
        }

        var outside = new RequestException(403, $"field '{field}': only files under the model root may be loaded");
        var full = Path.GetFullPath(requested, root);
        if (!Inside(full))
        {
            throw outside;
        }

        var real = UnixFile.RealPath(full) ?? throw new RequestException(404, $"field '{field}': no file '{QuotedText.Clip(requested)}' under the model root");
        if (!Inside(real))
        {
            throw outside; // a symbolic link out of the root
        }

        var (kind, size) = UnixFile.Stat(real);
        if (kind != UnixFile.Kind.Regular)
        {
            throw new RequestException(400, $"field '{field}': '{QuotedText.Clip(requested)}' is not a regular file");
        }

        if (size > maxBytes)
        {
            throw new RequestException(413, $"field '{field}': {size:N0} bytes, at most {maxBytes:N0} accepted");
        }

        return real;
    }

    /// <summary>
    /// The dataset a reloaded checkpoint records may be the one the service already serves, or lie under the model root;
    /// anything else is refused (403) before a byte of it is read, so a checkpoint placed in the model root cannot make
    /// the service read files elsewhere (a dataset's parse errors quote what they read).
    /// </summary>
    /// <summary>
    /// The loader for reloads: <paramref name="load"/>, after <see cref="CheckData"/> of each checkpoint's recorded dataset
    /// against the one <paramref name="servedCheckpoint"/> uses (found once, from its header).
    /// </summary>
    public Func<string, IRetriever> ReloadsOf(string servedCheckpoint, Func<string, IRetriever> load)
    {
        var servedData = Checkpoint.DataLocationOf(servedCheckpoint);
        return path =>
        {
            CheckData(Checkpoint.DataLocationOf(path), servedData);                // a reload's dataset: the served one, or under the root
            return load(path);
        };
    }

    public void CheckData(string dataPath, string servedDataPath)
    {
        var real = UnixFile.RealPath(Path.GetFullPath(dataPath)) ?? Path.GetFullPath(dataPath);
        var served = UnixFile.RealPath(Path.GetFullPath(servedDataPath)) ?? Path.GetFullPath(servedDataPath);
        if (real != served && !Inside(real))
        {
            throw new RequestException(403, "field 'checkpoint': its dataset is neither the served one nor under the model root; reloads read datasets only there");
        }
    }

    private bool Inside(string path) =>
        path.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
