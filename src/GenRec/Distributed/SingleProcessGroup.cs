namespace GenRec.Distributed;

/// <summary>One process training alone: every collective leaves the values as they are.</summary>
internal sealed class SingleProcessGroup : IProcessGroup
{
    public static SingleProcessGroup Instance { get; } = new();

    public int Rank => 0;

    public int Size => 1;

    public string Description => "one process";

    public void AllReduceSum(Span<float> values)
    {
    }

    public void AllReduceSum(Span<double> values)
    {
    }

    public void Broadcast(Span<float> values, int root = 0) => CheckRoot(root);

    public void Broadcast(Span<double> values, int root = 0) => CheckRoot(root);

    private static void CheckRoot(int root) => ArgumentOutOfRangeException.ThrowIfNotEqual(root, 0);
}
