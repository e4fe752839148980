namespace GenRec.Data;

/// <summary>Loads and prepares datasets, reusing the binary cache when input and options are unchanged.</summary>
internal static class DatasetLoader
{
    public const string PreparedExtension = ".grd";

    /// <summary>Loads a dataset; <paramref name="log"/> hears where it came from (cache or preparation).</summary>
    public static SequenceDataset Load(DatasetRequest request, Action<string>? log = null)
    {
        if (File.Exists(request.Path) && request.Path.EndsWith(PreparedExtension, StringComparison.OrdinalIgnoreCase))
        {
            log?.Invoke($"reading prepared dataset {request.Path}");
            return WithUserFeatures(DatasetCache.Load(request.Path), request, null, log);
        }

        var files = DatasetLocator.Locate(request.Path, request.Format, request.Metadata);
        string? cachePath = null;
        if (request.CacheDir is not null)
        {
            cachePath = Path.Combine(request.CacheDir, $"{files.Name}-{DatasetCache.Key(files, request.Options)}{PreparedExtension}");
            if (File.Exists(cachePath))
            {
                try
                {
                    var cached = DatasetCache.Load(cachePath);
                    log?.Invoke($"reusing prepared dataset {cachePath}");
                    return WithUserFeatures(cached, request, files, log);
                }
                catch (InvalidDataException e)
                {
                    log?.Invoke($"cache unreadable ({e.Message}); preparing again");
                }
            }
        }

        log?.Invoke($"reading {files.Interactions} as {files.Format}" + (files.Metadata is null ? "" : $", item metadata {files.Metadata}"));
        var interactions = DatasetLocator.LoadInteractions(files);
        var metadata = files.Metadata is null ? null : DatasetLocator.LoadMetadata(files.Metadata);
        var data = Preparation.DatasetPreparer.Prepare(files.Name, interactions, request.Options, metadata, files.Format.ToString());
        if (cachePath is not null)
        {
            DatasetCache.Save(data, cachePath);
            log?.Invoke($"prepared dataset cached at {cachePath}");
        }

        return WithUserFeatures(data, request, files, log);
    }

    /// <summary>
    /// Attaches the user feature table: the request's, or <c>users.dat</c> beside the interactions. It is read anew on each
    /// load (small next to the interactions), so the prepared cache stays as it is.
    /// </summary>
    private static SequenceDataset WithUserFeatures(SequenceDataset data, DatasetRequest request, DatasetFiles? files, Action<string>? log)
    {
        var path = request.UserFeatures;
        if (path is null && files is not null && Path.Combine(Path.GetDirectoryName(Path.GetFullPath(files.Interactions))!, "users.dat") is var beside && File.Exists(beside))
        {
            path = beside;
        }

        if (path is null)
        {
            return data;
        }

        data.UserFeatures = Loaders.UserFeatureLoader.Load(path, data.UserKeys);
        var table = data.UserFeatures;
        log?.Invoke($"user features from {path}: {string.Join(", ", table.Names.Zip(table.Cardinalities, (n, c) => $"{n} ({c - 1} values)"))}; {table.UsersWithoutFeatures:N0} users without a row");
        return data;
    }

    public static void Save(SequenceDataset data, string path) => DatasetCache.Save(data, path);
}
