using System.Runtime.InteropServices;

namespace GenRec.Distributed;

/// <summary>
/// NCCL's 128-byte communicator id as 16 doubles, the host group's broadcast type: the bytes reinterpreted, not
/// converted, so they arrive exactly (MPI copies them; nothing does arithmetic on them).
/// </summary>
internal static class UniqueIdWire
{
    public static double[] Pack(ReadOnlySpan<byte> id)
    {
        if (id.Length % sizeof(double) != 0)
        {
            throw new ArgumentException($"an id of {id.Length} bytes; expected a multiple of {sizeof(double)}", nameof(id));
        }

        var wire = new double[id.Length / sizeof(double)];
        id.CopyTo(MemoryMarshal.AsBytes(wire.AsSpan()));
        return wire;
    }

    public static void Unpack(ReadOnlySpan<double> wire, Span<byte> id) => MemoryMarshal.AsBytes(wire).CopyTo(id);
}
