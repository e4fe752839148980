using GenRec.Training;
using GenRec.Configuration;
using GenRec.Compute;
using GenRec.Data.Splits;
using GenRec.Models;
using GenRec.Models.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Scoring;

/// <summary>
/// Scores all items for each history with a trained model: the state at the history's last position
/// (BERT4Rec: at an appended [mask]) against every item. Timestamps, when the model uses them and the
/// cases carry them, end with the case's target time as the request time.
/// </summary>
internal sealed class ModelScorer : IScorer
{
    private readonly SequentialRecommender model;
    private readonly Data.Features.UserFeatureTable? userFeatures;

    /// <param name="model">The trained model.</param>
    /// <param name="userFeatures">The known users' features the model reads (<see cref="FeatureResolution.UsersFor(ModelConfig, Data.SequenceDataset)"/>), when it reads any.</param>
    public ModelScorer(SequentialRecommender model, Data.Features.UserFeatureTable? userFeatures = null)
    {
        this.model = model;
        this.userFeatures = userFeatures;
    }

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
        var features = FeaturesOf(batch)?.ToDevice(device);                                   // [B, F] or null
        var input = new SequenceInput(ids.ToDevice(device), timestamps.ToDevice(device), ratings.ToDevice(device), features);
        var userStates = model.QueryStates(input, tensor(lengths).ToDevice(device));           // [B, D]: from the features when the history is empty
        if (wasTraining)
        {
            model.train();
        }

        return userStates;
    }

    // The cases' user feature ids [B, F]: given with the case, else the known user's, else unknown (0).
    private Tensor? FeaturesOf(IReadOnlyList<EvalCase> batch) => UserFeatureIds.Batch(
        [.. batch.Select(c => c.UserFeatures ?? (c.User >= 0 ? userFeatures?.Values[c.User] : null))], model.UserFeatureCount);
}
