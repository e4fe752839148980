using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace GenRec.Distributed;

/// <summary>
/// NCCL for the tensors of a data-parallel run on GPUs, one rank per GPU, as PyTorch's DDP does it: gradients are
/// summed by <c>ncclAllReduce</c> in device memory where they lie (no host copy), parameters broadcast by
/// <c>ncclBroadcast</c>. The host group beside it (MPI's world) gives the ranks, carries NCCL's unique id from rank 0 to
/// the others at the start, and does the small host-side collectives (loss weights, agreement to go on, validation
/// metrics). A thin binding to <c>libnccl.so.2</c> (<see cref="NcclLibrary"/> finds it), seven calls:
/// <c>ncclGetVersion</c>, <c>ncclGetUniqueId</c>, <c>ncclCommInitRank</c>, <c>ncclAllReduce</c>, <c>ncclBroadcast</c>,
/// <c>ncclCommDestroy</c>, <c>ncclGetErrorString</c>.
/// <para>
/// NCCL works on the CUDA stream it is given; this passes the default stream (0), the one libtorch queues its kernels on
/// when no other stream is set (TorchSharp sets none), so a reduction runs after the backward that produced the
/// gradients and before the optimiser step that reads them, with no wait on the host. The time DataParallel measures
/// around a call is therefore the time to queue it, not to run it.
/// </para>
/// </summary>
internal sealed unsafe class NcclProcessGroup : IProcessGroup, IDisposable
{
    private const int Float32 = 7;                                                             // ncclFloat32
    private const int Sum = 0;                                                                 // ncclSum

    private readonly IProcessGroup host;
    private readonly nint communicator;
    private readonly delegate* unmanaged<void*, void*, nuint, int, int, nint, nint, int> allReduce;
    private readonly delegate* unmanaged<void*, void*, nuint, int, int, nint, nint, int> broadcast;
    private readonly delegate* unmanaged<nint, int> destroy;
    private readonly delegate* unmanaged<int, byte*> errorString;
    private bool destroyed;

    private NcclProcessGroup(IProcessGroup host, nint library, Device device)
    {
        this.host = host;
        Device = device;
        allReduce = (delegate* unmanaged<void*, void*, nuint, int, int, nint, nint, int>)NativeLibrary.GetExport(library, "ncclAllReduce");
        broadcast = (delegate* unmanaged<void*, void*, nuint, int, int, nint, nint, int>)NativeLibrary.GetExport(library, "ncclBroadcast");
        destroy = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "ncclCommDestroy");
        errorString = (delegate* unmanaged<int, byte*>)NativeLibrary.GetExport(library, "ncclGetErrorString");
        var getVersion = (delegate* unmanaged<int*, int>)NativeLibrary.GetExport(library, "ncclGetVersion");
        var getUniqueId = (delegate* unmanaged<UniqueId*, int>)NativeLibrary.GetExport(library, "ncclGetUniqueId");
        var initRank = (delegate* unmanaged<nint*, int, UniqueId, int, int>)NativeLibrary.GetExport(library, "ncclCommInitRank");

        int version;
        Check(getVersion(&version), "ncclGetVersion");
        Version = VersionText(version);

        // Rank 0 makes the communicator's id; the host group carries its 128 bytes to the others.
        var id = default(UniqueId);
        if (host.Rank == 0)
        {
            Check(getUniqueId(&id), "ncclGetUniqueId");
        }

        var bytes = new Span<byte>(id.Bytes, UniqueId.Length);
        var wire = UniqueIdWire.Pack(bytes);
        host.Broadcast(wire);
        UniqueIdWire.Unpack(wire, bytes);

        CudaDevice.MakeCurrent(device);                                                        // NCCL binds the communicator to the current device
        nint comm;
        Check(initRank(&comm, host.Size, id, host.Rank), "ncclCommInitRank");
        communicator = comm;
        Description = $"NCCL {Version} on {device}, {host.Description}";
    }

    /// <summary>NCCL's 128-byte communicator id (ncclUniqueId), passed by value to ncclCommInitRank.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct UniqueId
    {
        public const int Length = 128;

        public fixed byte Bytes[Length];
    }

    public int Rank => host.Rank;

    public int Size => host.Size;

    public string Description { get; }

    /// <summary>NCCL's version (e.g. "2.27.3").</summary>
    public string Version { get; }

    /// <summary>This rank's GPU.</summary>
    public Device Device { get; }

    /// <summary>Starts NCCL over <paramref name="host"/>'s ranks, this rank on <paramref name="device"/> (every rank calls it together).</summary>
    public static NcclProcessGroup Start(IProcessGroup host, Device device)
    {
        if (device.type != TorchSharp.DeviceType.CUDA)
        {
            throw new ArgumentException($"NCCL sums tensors on CUDA devices; this run computes on {device}", nameof(device));
        }

        return new NcclProcessGroup(host, NcclLibrary.Load(), device);
    }

    /// <summary>NCCL's version code (major x 10000 + minor x 100 + patch since 2.9; major x 1000 + ... before) as text.</summary>
    internal static string VersionText(int code) => code >= 10000
        ? $"{code / 10000}.{code / 100 % 100}.{code % 100}"
        : $"{code / 1000}.{code / 100 % 10}.{code % 100}";

    public void AllReduceSum(Span<float> values) => host.AllReduceSum(values);

    public void AllReduceSum(Span<double> values) => host.AllReduceSum(values);

    public void Broadcast(Span<float> values, int root = 0) => host.Broadcast(values, root);

    public void Broadcast(Span<double> values, int root = 0) => host.Broadcast(values, root);

    /// <summary>On this rank's GPU: summed in place by ncclAllReduce; elsewhere through the host group.</summary>
    public void AllReduceSum(Tensor values)
    {
        if (!OnDevice(values))
        {
            HostTensors.AllReduceSum(host, values);
            return;
        }

        var address = (void*)HostTensors.Address(values);
        Check(allReduce(address, address, (nuint)values.numel(), Float32, Sum, communicator, 0), "ncclAllReduce");
    }

    /// <summary>On this rank's GPU: copied in place from <paramref name="root"/> by ncclBroadcast; elsewhere through the host group.</summary>
    public void Broadcast(Tensor values, int root = 0)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)root, (uint)Size, nameof(root));
        if (!OnDevice(values))
        {
            HostTensors.Broadcast(host, values, root);
            return;
        }

        var address = (void*)HostTensors.Address(values);
        Check(broadcast(address, address, (nuint)values.numel(), Float32, root, communicator, 0), "ncclBroadcast");
    }

    /// <summary>Ends the communicator, then the host group.</summary>
    public void Dispose()
    {
        if (!destroyed)
        {
            destroyed = true;
            _ = destroy(communicator);
            (host as IDisposable)?.Dispose();
        }
    }

    private bool OnDevice(Tensor values)
    {
        if (values.device.type != TorchSharp.DeviceType.CUDA)
        {
            return false;
        }

        return values.device.index == Device.index
            ? true
            : throw new ArgumentException($"a tensor on {values.device}; this rank's NCCL communicator is on {Device}", nameof(values));
    }

    private void Check(int code, string call)
    {
        if (code != 0)
        {
            var text = errorString is null ? null : Marshal.PtrToStringAnsi((nint)errorString(code));
            throw new InvalidOperationException($"{call} failed with NCCL error {code} ({text ?? "unknown"}) on rank {host.Rank}; NCCL_DEBUG=WARN says more");
        }
    }
}
