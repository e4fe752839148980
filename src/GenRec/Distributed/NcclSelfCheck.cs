using static TorchSharp.torch;

namespace GenRec.Distributed;

/// <summary>
/// NCCL on one GPU as a rank of one (<c>genrec doctor --nccl</c>): the library found, a communicator made from its own
/// id, a gradient-sized buffer summed and broadcast in device memory and read back unchanged (one rank's sum is its own
/// values), and the time of a sum. What a data-parallel run on GPUs needs, checked before hours are spent on one.
/// </summary>
internal static class NcclSelfCheck
{
    public sealed record Report(string Version, string Device, long Elements, bool Unchanged, double AllReduceMs);

    public static Report Run(Device device, int repeats = 20)
    {
        using var group = NcclProcessGroup.Start(SingleProcessGroup.Instance, device);
        using var scope = NewDisposeScope();
        var elements = (long)DataParallel.BucketElements;
        var expected = arange(elements, dtype: ScalarType.Float32, device: device).remainder(1000);  // [n], exact in float32
        var values = expected.clone();
        group.AllReduceSum(values);
        group.Broadcast(values);
        var unchanged = values.equal(expected).item<bool>();                                                 // waits for the stream
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < repeats; i++)
        {
            group.AllReduceSum(values);
        }

        cuda.synchronize(device);
        return new Report(group.Version, device.ToString(), elements, unchanged, clock.Elapsed.TotalMilliseconds / repeats);
    }
}
