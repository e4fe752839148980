using GenRec.Data;
using static TorchSharp.torch;

namespace GenRec.Checkpoints;

/// <summary>
/// The one way to open a GenRec checkpoint for inference (library <c>Recommender</c>, serving, <c>recommend</c>,
/// <c>eval</c>, <c>export-embeddings</c>, the bench commands): the kind from the file's magic string, the header checked
/// against its bounds before anything is built (<see cref="ModelSizeBounds"/>), the model on the device asked for, and
/// the dataset it was trained on, found from any working folder as <see cref="CheckpointDataLocator"/> describes.
/// </summary>
internal static class Checkpoint
{
    /// <summary>The kind of model a checkpoint holds, from its magic string alone.</summary>
    public static CheckpointKind KindOf(string path)
    {
        using var r = CheckpointFile.Open(path);
        return CheckpointFile.ReadBoundedString(r, path, "magic string", 64) switch
        {
            RetrievalCheckpoint.Magic => CheckpointKind.Retrieval,
            RankingCheckpoint.Magic => CheckpointKind.Ranking,
            TigerCheckpoint.Magic => CheckpointKind.Tiger,
            var other => throw new InvalidDataException($"{path}: not a GenRec checkpoint (magic '{Util.QuotedText.Clip(other)}'; known: {RetrievalCheckpoint.Magic}, {RankingCheckpoint.Magic}, {TigerCheckpoint.Magic})"),
        };
    }

    /// <summary>
    /// The header of a retrieval or ranking checkpoint and nothing after it (its length is bounded; the sizes it claims
    /// are checked against the weights only when a model is built, by <see cref="Open"/>).
    /// </summary>
    public static ICheckpointHeader ReadHeader(string path)
    {
        var kind = KindOf(path);
        using var r = CheckpointFile.Open(path);
        return kind switch
        {
            CheckpointKind.Retrieval => RetrievalCheckpoint.ReadHeader(r, path),
            CheckpointKind.Ranking => RankingCheckpoint.ReadHeader(r, path),
            _ => throw Unsupported(path, kind),
        };
    }

    /// <summary>Where a checkpoint's dataset is, from its header (a TIGER checkpoint: its run folder's config) alone; no weights or data are read.</summary>
    public static string DataLocationOf(string path) =>
        KindOf(path) == CheckpointKind.Tiger ? TigerCheckpoint.DataLocationOf(path) : Locate(path, ReadHeader(path));

    /// <summary>The data config a checkpoint was trained with (a TIGER checkpoint's from its run folder), its path where that data is now.</summary>
    public static Configuration.DataConfig DataOf(string path) =>
        (KindOf(path) == CheckpointKind.Tiger ? TigerCheckpoint.RunConfigOf(path).Data : ReadHeader(path).Data) with { Path = DataLocationOf(path) };

    /// <summary>Opens a retrieval or ranking checkpoint: model (evaluation mode, on the device given), header and dataset.</summary>
    /// <exception cref="FileNotFoundException">The checkpoint or its dataset cannot be found.</exception>
    /// <exception cref="InvalidDataException">Not a GenRec checkpoint, a damaged one, or a dataset with other items than the model's.</exception>
    public static OpenedCheckpoint Open(string path, CheckpointOpenOptions? options = null)
    {
        options ??= new();
        var kind = KindOf(path);
        (nn.Module Model, ICheckpointHeader Header) loaded = kind switch
        {
            CheckpointKind.Retrieval => RetrievalCheckpoint.LoadModel(path, options.Device),
            CheckpointKind.Ranking => RankingCheckpoint.Load(path, options.Device),
            _ => throw Unsupported(path, kind),
        };
        try
        {
            var dataset = options.Dataset ?? DatasetLoader.Load(
                (loaded.Header.Data with { Path = options.DataPath ?? Locate(path, loaded.Header) }).ToRequest(options.CacheDir),
                options.Log ?? (_ => { }));
            if (dataset.NumItems != loaded.Header.NumItems)
            {
                throw new InvalidDataException($"{path}: the model was trained on {loaded.Header.NumItems:N0} items but the dataset {dataset.Name} has {dataset.NumItems:N0}; use the dataset and options it was trained with");
            }

            // Items added after training (genrec catalog add) join the model and the dataset here, for every caller.
            if (options.WithCatalog && loaded.Model is Models.SequentialRecommender retrieval)
            {
                dataset = Catalog.ItemCatalog.ApplyIfPresent(path, retrieval, dataset);
            }

            return new OpenedCheckpoint(path, kind, loaded.Model, loaded.Header, dataset);
        }
        catch
        {
            loaded.Model.Dispose();
            throw;
        }
    }

    internal static string Describe(CheckpointKind kind) => kind switch
    {
        CheckpointKind.Retrieval => "retrieval",
        CheckpointKind.Ranking => "ranking",
        _ => "TIGER",
    };

    private static string Locate(string path, ICheckpointHeader header) => CheckpointDataLocator.Find(header.Data.Path, header.DataLocation, path);

    private static InvalidDataException Unsupported(string path, CheckpointKind kind) =>
        new($"{path}: a {Describe(kind)} checkpoint, which is evaluated at the end of its training run (its config and semantic IDs are in the run folder) and served by genrec serve; it cannot be opened here");
}
