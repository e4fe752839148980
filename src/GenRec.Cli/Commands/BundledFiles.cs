using GenRec.Configuration;
using GenRec.Training;

namespace GenRec.Cli.Commands;

/// <summary>
/// The run configs and the MovieLens latest-small dataset that ship with the command, in <c>bundled/</c> beside its
/// executable (the repository's <c>configs/</c> and <c>data/ml-latest-small</c>, copied there by the build and packed
/// into the .NET tool). <c>--config</c> takes a file, or a built-in config by name (<c>quickstart</c>,
/// <c>quickstart.json</c> or <c>configs/quickstart.json</c>); a relative data path that the working folder lacks is
/// read from the bundle when the bundle has it (<c>data/ml-latest-small</c>). A file in the working folder always wins.
/// </summary>
internal static class BundledFiles
{
    public static string Root => Checkpoints.CheckpointDataLocator.BundleRoot;

    /// <summary>The built-in config names.</summary>
    public static IReadOnlyList<string> ConfigNames(string? root = null)
    {
        var folder = Path.Combine(root ?? Root, "configs");
        return Directory.Exists(folder) ? [.. Directory.EnumerateFiles(folder, "*.json").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!] : [];
    }

    /// <summary>The config file a <c>--config</c> value names: the file itself when it exists, else the built-in config of that name.</summary>
    public static string Config(string nameOrPath, string? root = null)
    {
        if (File.Exists(nameOrPath))
        {
            return nameOrPath;
        }

        var name = Path.GetFileNameWithoutExtension(nameOrPath);
        var asGiven = nameOrPath.Replace('\\', '/');
        var bundled = Path.Combine(root ?? Root, "configs", name + ".json");
        if (File.Exists(bundled) && (asGiven == name || asGiven == name + ".json" || asGiven == "configs/" + name + ".json"))
        {
            return bundled;
        }

        var names = ConfigNames(root);
        throw new FileNotFoundException(
            $"config not found: {nameOrPath} (no such file, and no built-in config of that name; built-in: {(names.Count == 0 ? "none in this build" : string.Join(", ", names))})", nameOrPath);
    }

    /// <summary>A run config by name or path, its data read from the bundle where the working folder lacks it.</summary>
    public static RunConfig LoadRun(string nameOrPath) => WithBundledData(JsonConfig.Load<RunConfig>(Config(nameOrPath)));

    /// <summary>The run with a relative data path that does not exist here but does in the bundle pointed at the bundle.</summary>
    public static RunConfig WithBundledData(RunConfig run, string? root = null) => run with { Data = run.Data with { Path = DataPath(run.Data.Path, root) } };

    /// <summary>A relative data path that does not exist here but does in the bundle, as the bundle's; any other path as it is.</summary>
    public static string DataPath(string path, string? root = null)
    {
        if (Path.IsPathRooted(path) || Path.Exists(path))
        {
            return path;
        }

        var bundled = Path.Combine(root ?? Root, path);
        return Path.Exists(bundled) ? bundled : path;
    }
}
