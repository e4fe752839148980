using GenRec.Configuration;
using System.Text.Json;
using GenRec.Training;

namespace GenRec.Tests.Training;

public class TrainingStateTests
{
    [Fact]
    public void PatienceCountsValidationsWithoutABetterMetric()
    {
        var state = new TrainingState();
        (state, var improved) = state.AfterValidation(1, 0.10, 5);
        Assert.True(improved);
        (state, improved) = state.AfterValidation(2, 0.09, 10);
        Assert.False(improved);
        (state, _) = state.AfterValidation(3, 0.10, 15); // equal is not better
        Assert.Equal((0.10, 1, 2), (state.BestValidationMetric, state.BestEpoch, state.ValidationsWithoutImprovement));
        (state, improved) = state.AfterValidation(4, 0.11, 20);
        Assert.True(improved);
        Assert.Equal((4, 0), (state.BestEpoch, state.ValidationsWithoutImprovement));
    }

    [Fact]
    public void TheBestMetricKeepsItsStoredNameSoOlderCheckpointsResume()
    {
        var json = JsonSerializer.Serialize(new TrainingState { BestValidationMetric = 0.25, BestEpoch = 7 }, RunConfig.Json);
        Assert.Contains("\"best_validation_ndcg10\":0.25", json.Replace(" ", "", StringComparison.Ordinal));
        var older = JsonSerializer.Deserialize<TrainingState>("{\"epoch\":9,\"best_validation_ndcg10\":0.5,\"best_epoch\":8}", RunConfig.Json)!;
        Assert.Equal((0.5, 8, 9), (older.BestValidationMetric, older.BestEpoch, older.Epoch));
    }
}
