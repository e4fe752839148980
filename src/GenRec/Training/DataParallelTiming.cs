namespace GenRec.Training;

/// <summary>
/// How a data-parallel run's ranks shared the work, as rank 0 saw it in this launch (a resume counts from its own start).
/// </summary>
/// <param name="Group">What ran the collectives (e.g. "Open MPI 4.1.4, 2 ranks").</param>
/// <param name="Ranks">Processes that trained the model together.</param>
/// <param name="AllReduceSeconds">Seconds rank 0 spent in the per-step collectives, waiting for the other ranks included.</param>
/// <param name="Steps">Steps whose gradients were summed over the ranks.</param>
public sealed record DataParallelTiming(string Group, int Ranks, double AllReduceSeconds, long Steps)
{
    /// <summary>Milliseconds a step in the collectives.</summary>
    public double AllReduceMsPerStep => Steps > 0 ? AllReduceSeconds * 1000 / Steps : 0;
}
