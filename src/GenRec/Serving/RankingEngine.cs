using GenRec.Checkpoints;
using GenRec.Data;
using GenRec.Models;
using GenRec.Models.Ranking;
using GenRec.Training.Ranking;

namespace GenRec.Serving;

/// <summary>
/// A trained HSTU ranking model ready to serve: scores candidates after a history in micro-batches
/// (<see cref="CandidateScorer"/>), returning one probability per task. It needs the history's
/// ratings when it was trained on rated data, and timestamps when it uses its time bias on timed data.
/// </summary>
internal sealed class RankingEngine
{
    private readonly HstuRanker model;

    internal RankingEngine(HstuRanker model, string[] tasks, SequenceDataset dataset, string source)
    {
        this.model = model;
        Tasks = tasks;
        Source = source;
        NeedsRatings = tasks.Length > RankingTasks.Like;
        NeedsTimestamps = model.Config.TimeBias && dataset.Timestamps is not null;
        if (model.NumItems != dataset.NumItems)
        {
            throw new ArgumentException($"{source}: the ranking model has {model.NumItems} items, the served dataset {dataset.NumItems}");
        }
    }

    public string[] Tasks { get; }

    public string Source { get; }

    public bool NeedsRatings { get; }

    public bool NeedsTimestamps { get; }

    /// <summary>Task probabilities [candidates, tasks] (row-major); the request time is the last history timestamp.</summary>
    public float[] Score(int[] history, float[]? ratings, long[]? timestamps, int[] candidates, int microBatch = 256)
    {
        var ranked = RankingHistory.From(history, NeedsRatings ? ratings : null, NeedsTimestamps ? timestamps : null, model.Config.MaxHistory);
        return CandidateScorer.Score(model, ranked, candidates, ranked.Times is { Length: > 0 } t ? t[^1] : 0, microBatch);
    }

    /// <summary>The name of the first weight tensor holding NaN or infinity, or null when all are finite.</summary>
    internal string? FirstNonFiniteWeight() => model.FirstNonFiniteParameter();

    public static RankingEngine Load(string checkpoint, SequenceDataset dataset, TorchSharp.torch.Device? device = null)
    {
        using var opened = Checkpoint.Open(checkpoint, new() { Device = device, Dataset = dataset });
        var model = opened.TakeRanker("a served ranker");
        try
        {
            return new RankingEngine(model, opened.Ranking!.Tasks, dataset, checkpoint);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
