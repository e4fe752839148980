namespace GenRec.Training;

/// <summary>Hears about training progress (the CLI draws progress bars from it).</summary>
public interface ITrainingObserver
{
    void EpochStarted(int epoch, int steps);

    void StepFinished(int epoch, int step, double loss);

    void Validated(int epoch, IReadOnlyDictionary<string, double> metrics, bool improved);

    void Message(string text);
}

/// <summary>An observer that ignores everything.</summary>
public sealed class SilentObserver : ITrainingObserver
{
    public void EpochStarted(int epoch, int steps)
    {
    }

    public void StepFinished(int epoch, int step, double loss)
    {
    }

    public void Validated(int epoch, IReadOnlyDictionary<string, double> metrics, bool improved)
    {
    }

    public void Message(string text)
    {
    }
}
