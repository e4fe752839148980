using GenRec.Compute;
using GenRec.Data.Splits;
using GenRec.Evaluation;
using GenRec.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Training;

/// <summary>
/// Scores all items for each history with a trained model: the state at the history's last position
/// (BERT4Rec: at an appended [mask]) against every item. Timestamps, when the model uses them and the
/// cases carry them, end with the case's target time as the request time.
/// </summary>
internal sealed class ModelScorer : IScorer
{
    private readonly SequentialRecommender model;

    public ModelScorer(SequentialRecommender model) => this.model = model;

    public int NumItems => model.NumItems;

    public void Score(IReadOnlyList<EvalCase> batch, Span<float> scores)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var all = model.ScoreAll(UserStates(batch));                                  // [B, I + 1]
        all.cpu().contiguous().data<float>().CopyTo(scores);
    }

    /// <summary>The state after each case's history (the query vector): [B, D]. Call inside a dispose scope.</summary>
    public Tensor UserStates(IReadOnlyList<EvalCase> batch)
    {
        using var _ = no_grad();
        var wasTraining = model.training;
        model.eval();
        var (ids, lengths, timestamps, ratings) = SequenceBatcher.HistoryBatch(
            batch.Select(c => c.History).ToArray(),
            model.Config.MaxSequenceLength,
            model.UsesTimestamps ? batch.Select(c => c.HistoryTimestamps).ToArray() : null,
            model.UsesTimestamps ? batch.Select(c => c.TargetTimestamp).ToArray() : null,
            model.IsCausal ? null : model.MaskToken,
            model.UsesRatings ? batch.Select(c => c.HistoryRatings).ToArray() : null);
        var device = ComputeDevice.DeviceOf(model);
        var states = model.forward(new SequenceInput(ids.ToDevice(device), timestamps.ToDevice(device), ratings.ToDevice(device)));     // [B, N, D]
        var userStates = SequentialRecommender.StatesAt(states, tensor(lengths.Select(l => Math.Max(0, l - 1)).ToArray()).ToDevice(device)); // [B, D]
        if (wasTraining)
        {
            model.train();
        }

        return userStates;
    }
}
