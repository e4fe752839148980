using GenRec.Util;
using static TorchSharp.torch;

namespace GenRec.Tests.Training;

/// <summary>The loops' periodic release of freed native memory reaches the process's allocator.</summary>
public class NativeHeapTests
{
    [Fact]
    public void ReleaseReachesTheAllocatorOnLinuxAndFreedTensorsStayUsable()
    {
        var before = ones(1000, 1000).sum().item<float>();                                // allocate and free 4 MB
        var released = NativeHeap.Release();
        Assert.Equal(OperatingSystem.IsLinux(), released);                                // jemalloc's purge or glibc's malloc_trim answered
        Assert.Equal(before, ones(1000, 1000).sum().item<float>());                       // the heap still serves new tensors
        Assert.True(NativeHeap.Interval > TimeSpan.Zero);
    }
}
