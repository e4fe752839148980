using GenRec.Configuration;
using GenRec.Data;
using GenRec.Models.Tiger;
using GenRec.Training;
using GenRec.Training.Tiger;
using TorchSharp;
using TorchSharp.Modules;

namespace GenRec.Checkpoints;

/// <summary>
/// A TIGER checkpoint: the training state as its header, the semantic-ID generator's weights (encoder-decoder, decoder-only or parallel codes) and optionally the optimiser.
/// The run config and semantic ID table stay in the run folder (<c>config.json</c>, and <c>semantic-ids.tsv</c>, the copy
/// of the table the run trained on); the model is rebuilt from them before the weights are read.
/// </summary>
internal static class TigerCheckpoint
{
    public const string Magic = "GENRECTG1";

    public static void Save(string path, SemanticIdGenerator model, OptimizerHelper? optimizer, TrainingState state) =>
        CheckpointFile.Write(path, Magic, state, model, optimizer);

    /// <summary>Reads the weights (and the optimiser state when one is given) into an existing model; returns the training state.</summary>
    public static TrainingState Restore(string path, SemanticIdGenerator model, OptimizerHelper? optimizer)
    {
        using var r = CheckpointFile.Open(path);
        var state = CheckpointFile.ReadHeader<TrainingState>(r, path, Magic, "TIGER");
        CheckpointFile.ReadWeights(r, model, optimizer);
        return state;
    }

    /// <summary>
    /// Opens a TIGER checkpoint for inference from its run folder: the run config, the dataset (found as a retrieval
    /// checkpoint's is), the semantic ID table (the folder's copy; for runs that kept none, the table the config names,
    /// as given or relative to the run folder), and the model in evaluation mode on the device asked for. The config's
    /// sizes are checked against the weights the file holds before the model is built.
    /// </summary>
    public static OpenedTiger Open(string path, CheckpointOpenOptions options)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var run = RunConfigOf(path);
        var dataset = options.Dataset ?? DatasetLoader.Load(
            (run.Data with { Path = options.DataPath ?? DataLocationOf(path, run) }).ToRequest(options.CacheDir),
            options.Log ?? (_ => { }));
        var ids = SemanticIdFile.Read(TablePath(folder, run.SemanticIds, path), dataset);
        var vocabulary = SemanticIdVocabulary.Of(ids, run.Model.UserBuckets);
        using var r = CheckpointFile.Open(path);
        CheckpointFile.ReadHeader<TrainingState>(r, path, Magic, "TIGER");
        ModelSizeBounds.CheckTiger(run.Model, vocabulary.Size, StoredTensors.Scan(r, path), path);  // the reader stays at the weights
        var model = SemanticIdGenerator.Create(run.Model, vocabulary);
        try
        {
            CheckpointFile.ReadWeights(r, model, null);
            model.to(options.Device ?? TorchSharp.torch.CPU);
            model.eval();
            return new OpenedTiger(model, run, dataset, ids, new SemanticIdTrie(ids));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The run config in the checkpoint's folder (<c>config.json</c>, written by the training run).</summary>
    public static TigerRunConfig RunConfigOf(string path)
    {
        var configPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "config.json");
        return File.Exists(configPath) ? JsonConfig.Load<TigerRunConfig>(configPath)
            : throw new InvalidDataException($"{path}: a TIGER checkpoint is opened from its run folder, which has no config.json");
    }

    /// <summary>Where the checkpoint's dataset is (its run config's data path, found as a retrieval checkpoint's is).</summary>
    public static string DataLocationOf(string path, TigerRunConfig? run = null) =>
        CheckpointDataLocator.Find((run ?? RunConfigOf(path)).Data.Path, null, Path.GetFullPath(path));

    // The run folder's copy of its table, else the table the config names (as given, or relative to the run folder).
    private static string TablePath(string folder, string configured, string checkpoint)
    {
        var copy = Path.Combine(folder, SemanticIdFile.RunFolderName);
        if (File.Exists(copy))
        {
            return copy;
        }

        foreach (var candidate in new[] { configured, Path.Combine(folder, configured) })
        {
            if (configured != "random" && File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{checkpoint}: its run folder has no {SemanticIdFile.RunFolderName}, and the semantic ID table its config names ('{Util.QuotedText.Clip(configured)}') is not found; copy the table it trained on to {copy}", copy);
    }
}

/// <summary>A TIGER checkpoint opened for inference: model (evaluation mode), run config, dataset, semantic IDs by dense item and their trie.</summary>
internal sealed record OpenedTiger(SemanticIdGenerator Model, TigerRunConfig Run, SequenceDataset Dataset, int[][] Ids, SemanticIdTrie Trie);
