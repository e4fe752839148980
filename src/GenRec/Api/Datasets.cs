using GenRec.Configuration;
using GenRec.Data;
using GenRec.Data.Preparation;
using GenRec.Training;

namespace GenRec;

/// <summary>
/// Loads or prepares a <see cref="SequenceDataset"/>: from files (MovieLens, Amazon, CSV with user,item[,rating][,timestamp]
/// columns, Parquet, or a prepared <c>.grd</c>; prepared data is cached under <c>.genrec/cache</c>) or from interactions
/// already in memory. Preparation groups each user's events in time order, applies the k-core filter and maps ids to
/// dense integers.
/// </summary>
public static class Datasets
{
    /// <summary>Loads the dataset at <paramref name="path"/> (a file or folder; the format is detected).</summary>
    /// <param name="path">A dataset file or folder, or a prepared <c>.grd</c>.</param>
    /// <param name="options">k-core filtering and the like; none by default.</param>
    /// <param name="log">Hears where the data came from (cache or preparation).</param>
    /// <exception cref="DataFormatException">A malformed line; the message names the file, line and field.</exception>
    public static SequenceDataset Load(string path, PrepareOptions? options = null, Action<string>? log = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return DatasetLoader.Load(new DatasetRequest(path) { Options = options ?? new() }, log);
    }

    /// <summary>Loads the dataset a run configuration names (its <c>data</c> section).</summary>
    public static SequenceDataset FromConfig(DataConfig data, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return DatasetLoader.Load(data.ToRequest(DatasetRequest.DefaultCacheDir), log);
    }

    /// <summary>Prepares a dataset from interactions held in memory (no file, no cache).</summary>
    /// <param name="name">The dataset's name, recorded in checkpoints trained on it.</param>
    /// <param name="interactions">The events, in any order of users.</param>
    /// <param name="options">k-core filtering and the like; none by default.</param>
    /// <exception cref="ArgumentException">An empty user or item id (its position in the sequence is named), or no interaction at all.</exception>
    public static SequenceDataset FromInteractions(string name, IEnumerable<Interaction> interactions, PrepareOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(interactions);
        var rows = interactions as IReadOnlyCollection<Interaction> ?? interactions.ToArray();
        var hasTimestamps = rows.Any(r => r.Timestamp != 0);
        var hasRatings = rows.Any(r => r.Rating != 0);
        var log = new InteractionLog("memory", hasRatings, hasTimestamps);
        var index = 0;
        foreach (var row in rows)
        {
            if (string.IsNullOrEmpty(row.User) || string.IsNullOrEmpty(row.Item))
            {
                throw new ArgumentException($"interaction {index}: empty {(string.IsNullOrEmpty(row.User) ? "user" : "item")} id", nameof(interactions));
            }

            log.Add(row.User, row.Item, row.Rating, row.Timestamp);
            index++;
        }

        if (index == 0)
        {
            throw new ArgumentException("no interactions", nameof(interactions));
        }

        return DatasetPreparer.Prepare(name, log, options ?? new(), null, "memory");
    }

    /// <summary>Writes a prepared dataset as a <c>.grd</c> file (atomically) that <see cref="Load(string, PrepareOptions?, Action{string}?)"/> reads back.</summary>
    public static void Save(SequenceDataset dataset, string path)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        DatasetCache.Save(dataset, path);
    }
}
