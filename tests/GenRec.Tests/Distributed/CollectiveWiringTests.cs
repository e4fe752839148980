using GenRec.Distributed;
using static TorchSharp.torch;

namespace GenRec.Tests.Distributed;

/// <summary>
/// The parts of the collectives that run without a second process or a GPU: tensors reduced where they lie (storage
/// offsets and strides respected), NCCL's id carried bit for bit, NCCL found where PyTorch puts it, and clear errors.
/// </summary>
public class CollectiveWiringTests
{
    /// <summary>Two ranks holding the same values: a sum doubles each one (what MPI would return for them).</summary>
    private sealed class TwinRanks : IProcessGroup
    {
        public int Rank => 0;

        public int Size => 2;

        public string Description => "two identical ranks";

        public void AllReduceSum(Span<float> values)
        {
            foreach (ref var v in values)
            {
                v *= 2;
            }
        }

        public void AllReduceSum(Span<double> values)
        {
            foreach (ref var v in values)
            {
                v *= 2;
            }
        }

        public void Broadcast(Span<float> values, int root = 0)
        {
        }

        public void Broadcast(Span<double> values, int root = 0)
        {
        }
    }

    [Fact]
    public void AHostTensorIsSummedInPlaceAtItsOwnOffsetAndNothingBesideItChanges()
    {
        using var whole = arange(10, dtype: ScalarType.Float32);
        using var middle = whole.narrow(0, 3, 4);                                               // contiguous, storage offset 3
        IProcessGroup group = new TwinRanks();
        group.AllReduceSum(middle);
        Assert.Equal([0f, 1, 2, 6, 8, 10, 12, 7, 8, 9], whole.data<float>().ToArray());
    }

    [Fact]
    public void StridedAndDoubleTensorsGoThroughAHostCopyThatIsWrittenBack()
    {
        using var matrix = arange(6, dtype: ScalarType.Float32).view(2, 3);
        using var transposed = matrix.t();                                                     // strided view of the same storage
        IProcessGroup group = new TwinRanks();
        group.AllReduceSum(transposed);
        Assert.Equal([0f, 2, 4, 6, 8, 10], matrix.flatten().data<float>().ToArray());

        using var doubles = tensor(new[] { 1.5, -2.0 });
        group.AllReduceSum(doubles);
        Assert.Equal([3.0, -4.0], doubles.data<double>().ToArray());
    }

    [Fact]
    public void TheAddressOfAStridedTensorIsRefused()
    {
        using var matrix = zeros(2, 3);
        Assert.Contains("contiguous float32", Assert.Throws<ArgumentException>(() => HostTensors.Address(matrix.t())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NcclsIdCrossesTheHostGroupBitForBit()
    {
        // Every byte value, with patterns that read as NaNs, infinities and denormals when taken as doubles.
        var id = Enumerable.Range(0, NcclProcessGroup.UniqueId.Length).Select(i => (byte)((i * 37) + 255)).ToArray();
        id[6] = 0xF8;
        id[7] = 0x7F;                                                                          // a signalling-NaN pattern in the first double
        id[15] = 0xFF;
        var wire = UniqueIdWire.Pack(id);
        Assert.Equal(16, wire.Length);
        var back = new byte[id.Length];
        UniqueIdWire.Unpack(wire, back);
        Assert.Equal(id, back);
    }

    [Fact]
    public void NcclIsLookedForBesideTheLibtorchGenrecUsesThenByName()
    {
        Assert.Equal(
            ["/opt/py/lib/python3.12/site-packages/torch/lib/libnccl.so.2", "/opt/py/lib/python3.12/site-packages/nvidia/nccl/lib/libnccl.so.2", "libnccl.so.2"],
            NcclLibrary.Candidates(null, "/opt/py/lib/python3.12/site-packages/torch/lib"));
        Assert.Equal(["libnccl.so.2"], NcclLibrary.Candidates(null, null));
        Assert.Equal(["/x/libnccl.so.2"], NcclLibrary.Candidates("/x/libnccl.so.2", "/opt/torch/lib"));  // a named file only
    }

    [Fact]
    public void ANamedNcclThatIsNotThereIsAClearError()
    {
        var error = Assert.Throws<DllNotFoundException>(() => NcclLibrary.Load("/nonexistent/libnccl.so.2", null));
        Assert.Contains("GENREC_NCCL=/nonexistent/libnccl.so.2", error.Message, StringComparison.Ordinal);
        Assert.Contains("no such file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NcclRefusesAHostDeviceAndReadsItsVersionCodes()
    {
        Assert.Contains("CUDA", Assert.Throws<ArgumentException>(() => NcclProcessGroup.Start(SingleProcessGroup.Instance, CPU)).Message, StringComparison.Ordinal);
        Assert.Equal("2.27.3", NcclProcessGroup.VersionText(22703));
        Assert.Equal("2.6.4", NcclProcessGroup.VersionText(2604));
        Assert.Same(ProcessGroups.Current, ProcessGroups.On(CPU));                            // a host run keeps its group
    }
}
