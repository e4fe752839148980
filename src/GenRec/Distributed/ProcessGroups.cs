using static TorchSharp.torch;

namespace GenRec.Distributed;

/// <summary>
/// This process's group: MPI's world when <c>mpirun</c> started it (MPI starts at the first use, on the calling thread,
/// which must then make every MPI call), else one process. MPI starts once per process and ends with
/// <see cref="Finish"/> (genrec calls it after every command), so one process trains one data-parallel run (<c>genrec train</c> under <c>mpirun</c>). A run on a GPU
/// asks for <see cref="On"/> its device, which puts NCCL beside MPI.
/// </summary>
internal static class ProcessGroups
{
    private static readonly Lock Gate = new();
    private static IProcessGroup? current;

    public static IProcessGroup Current
    {
        get
        {
            lock (Gate)
            {
                return Started();
            }
        }
    }

    /// <summary>
    /// The group for tensors on <paramref name="device"/>: on a CUDA device under <c>mpirun</c>, NCCL over the MPI ranks
    /// (started once, by every rank together); else <see cref="Current"/>.
    /// </summary>
    public static IProcessGroup On(Device device)
    {
        lock (Gate)
        {
            var group = Started();
            if (device.type == TorchSharp.DeviceType.CUDA && MpiProcessGroup.LaunchedByMpi && group is not NcclProcessGroup)
            {
                current = group = NcclProcessGroup.Start(group, device);
            }

            return group;
        }
    }

    private static IProcessGroup Started() => current ??= MpiProcessGroup.LaunchedByMpi ? MpiProcessGroup.Start() : SingleProcessGroup.Instance;

    /// <summary>Ends MPI in this process when it was started (from the thread that started it); nothing otherwise.</summary>
    public static void Finish()
    {
        lock (Gate)
        {
            (current as IDisposable)?.Dispose();
        }
    }
}
