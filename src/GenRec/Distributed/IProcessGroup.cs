using static TorchSharp.torch;

namespace GenRec.Distributed;

/// <summary>
/// The processes that train one model together (data parallelism): each has a rank from 0 to <see cref="Size"/> - 1,
/// and every collective call must be made by all of them, in the same order, with buffers of the same length. One
/// process alone is a group of one (<see cref="SingleProcessGroup"/>); under <c>mpirun</c> the group is MPI's world
/// (<see cref="MpiProcessGroup"/>); on GPUs, NCCL on device memory with MPI beside it (<see cref="NcclProcessGroup"/>).
/// </summary>
internal interface IProcessGroup
{
    /// <summary>This process's rank (0 writes the run folder).</summary>
    int Rank { get; }

    /// <summary>Processes in the group.</summary>
    int Size { get; }

    /// <summary>What runs the collectives, for logs and result files (e.g. "Open MPI 4.1.4, 2 ranks").</summary>
    string Description { get; }

    /// <summary>Each element replaced by its sum over all ranks.</summary>
    void AllReduceSum(Span<float> values);

    /// <summary>Each element replaced by its sum over all ranks.</summary>
    void AllReduceSum(Span<double> values);

    /// <summary>The values of rank <paramref name="root"/> copied to every rank.</summary>
    void Broadcast(Span<float> values, int root = 0);

    /// <summary>The values of rank <paramref name="root"/> copied to every rank.</summary>
    void Broadcast(Span<double> values, int root = 0);

    /// <summary>
    /// Each element of a contiguous float32 tensor replaced, in place, by its sum over all ranks. A host group sums host
    /// memory (a device tensor goes through a host copy); <see cref="NcclProcessGroup"/> sums device memory where it is.
    /// </summary>
    void AllReduceSum(Tensor values) => HostTensors.AllReduceSum(this, values);

    /// <summary>Rank <paramref name="root"/>'s values of a contiguous float32 tensor copied, in place, to every rank.</summary>
    void Broadcast(Tensor values, int root = 0) => HostTensors.Broadcast(this, values, root);
}
