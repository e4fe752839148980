using GenRec.Data;
using GenRec.Models;
using GenRec.Models.Ranking;
using static TorchSharp.torch;

namespace GenRec.Checkpoints;

/// <summary>
/// A checkpoint opened for inference by <see cref="Checkpoint.Open"/>: the model in evaluation mode, the header and the
/// dataset it was trained on. Disposing it frees the weights unless the model was taken with <see cref="Take{TModel}"/>.
/// </summary>
internal sealed class OpenedCheckpoint : IDisposable
{
    private nn.Module? model;

    internal OpenedCheckpoint(string path, CheckpointKind kind, nn.Module model, ICheckpointHeader header, SequenceDataset dataset)
    {
        Path = path;
        Kind = kind;
        this.model = model;
        Header = header;
        Dataset = dataset;
    }

    public string Path { get; }

    public CheckpointKind Kind { get; }

    public ICheckpointHeader Header { get; }

    public SequenceDataset Dataset { get; }

    /// <summary>The retrieval model (the caller owns it from now on); a clear error when the file holds another kind.</summary>
    public SequentialRecommender TakeRetrieval(string use) => Take<SequentialRecommender>(CheckpointKind.Retrieval, use);

    /// <summary>The ranking model (the caller owns it from now on); a clear error when the file holds another kind.</summary>
    public HstuRanker TakeRanker(string use) => Take<HstuRanker>(CheckpointKind.Ranking, use);

    /// <summary>The retrieval header (null for other kinds).</summary>
    public RetrievalCheckpoint.Header? Retrieval => Header as RetrievalCheckpoint.Header;

    /// <summary>The ranking header (null for other kinds).</summary>
    public RankingCheckpoint.Header? Ranking => Header as RankingCheckpoint.Header;

    private TModel Take<TModel>(CheckpointKind expected, string use)
        where TModel : nn.Module
    {
        if (model is not TModel typed)
        {
            throw new InvalidDataException($"{Path}: a {Checkpoint.Describe(Kind)} checkpoint; {use} needs a {Checkpoint.Describe(expected)} checkpoint");
        }

        model = null;
        return typed;
    }

    public void Dispose()
    {
        model?.Dispose();
        model = null;
    }
}
