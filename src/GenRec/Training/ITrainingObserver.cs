namespace GenRec.Training;

/// <summary>Hears about training progress (the CLI draws progress bars from it).</summary>
public interface ITrainingObserver
{
    /// <summary>An epoch begins with this many steps.</summary>
    void EpochStarted(int epoch, int steps);

    /// <summary>A training step ended with this loss.</summary>
    void StepFinished(int epoch, int step, double loss);

    /// <summary>Validation metrics of an epoch, and whether they are the best so far.</summary>
    void Validated(int epoch, IReadOnlyDictionary<string, double> metrics, bool improved);

    /// <summary>A line of information (device, resume point, data).</summary>
    void Message(string text);
}

/// <summary>An observer that ignores everything.</summary>
internal sealed class SilentObserver : ITrainingObserver
{
    /// <summary>An epoch begins with this many steps.</summary>
    public void EpochStarted(int epoch, int steps)
    {
    }

    /// <summary>A training step ended with this loss.</summary>
    public void StepFinished(int epoch, int step, double loss)
    {
    }

    /// <summary>Validation metrics of an epoch, and whether they are the best so far.</summary>
    public void Validated(int epoch, IReadOnlyDictionary<string, double> metrics, bool improved)
    {
    }

    /// <summary>A line of information (device, resume point, data).</summary>
    public void Message(string text)
    {
    }
}
