using GenRec.Configuration;
using GenRec.Training;
using static TorchSharp.torch;

namespace GenRec.Tests.Training;

/// <summary>Where the shared epoch loop stops, on stub steps and a scripted validation metric.</summary>
public class EpochLoopTests
{
    // A loop over `epochs` one-step epochs whose validation metric at epoch e is metrics[e - 1]; counts the steps run.
    private static (EpochLoop Loop, Func<int> Steps) Loop(string dir, int epochs, int patience, double[] metrics)
    {
        var steps = 0;
        var loop = new EpochLoop
        {
            Budget = new TrainConfig { Epochs = epochs, MaxMinutes = 0, Patience = patience },
            Seed = 1,
            MetricLabel = "NDCG@10",
            OutDir = dir,
            CurveTitle = "test",
            Observer = new SilentObserver(),
            BeginEpoch = _ => 1,
            Step = (_, _) => { steps++; return (tensor(1.0f), 4); },
            Validate = e => new SortedDictionary<string, double> { ["ndcg@10"] = metrics[e - 1] },
            MetricKey = "ndcg@10",
            Save = (_, _, _) => { },
        };
        return (loop, () => steps);
    }

    [Fact]
    public void AStoppedRunThatIsResumedTrainsNoFurtherEpoch()
    {
        using var dir = new TempDir();
        double[] metrics = [0.3, 0.2, 0.1, 0.1, 0.4, 0.5];
        var (first, firstSteps) = Loop(dir.Path, epochs: 6, patience: 2, metrics);
        var stopped = first.Run(new TrainingState(), CancellationToken.None);
        Assert.Equal((3, 1, 3), (stopped.State.Epoch, stopped.State.BestEpoch, firstSteps()));   // epochs 2 and 3 not better: stop after 3
        Assert.StartsWith("early stop", stopped.StopReason, StringComparison.Ordinal);

        var (resumed, resumedSteps) = Loop(dir.Path, epochs: 6, patience: 2, metrics);
        var again = resumed.Run(stopped.State, CancellationToken.None);
        Assert.Equal(0, resumedSteps());                                                             // epoch 4 would not be better, but 5 would: it must not run
        Assert.Equal((3, 1), (again.State.Epoch, again.State.BestEpoch));
        Assert.StartsWith("early stop", again.StopReason, StringComparison.Ordinal);

        var (patient, patientSteps) = Loop(dir.Path, epochs: 6, patience: 4, metrics);           // more patience: the same state goes on
        var longer = patient.Run(stopped.State, CancellationToken.None);
        Assert.Equal((6, 6, 3), (longer.State.Epoch, longer.State.BestEpoch, patientSteps()));
    }
}
