using GenRec.Util;
using Microsoft.Extensions.Hosting;

namespace GenRec.AspNetCore;

/// <summary>
/// A long-lived service returns freed native memory (libtorch's allocator keeps it otherwise): every
/// <see cref="NativeHeap.Interval"/> until the application stops.
/// </summary>
internal static class NativeMemoryRelease
{
    public static void UntilStopped(IHostApplicationLifetime lifetime)
    {
        var timer = new Timer(_ => NativeHeap.Release(), null, NativeHeap.Interval, NativeHeap.Interval);
        lifetime.ApplicationStopped.Register(timer.Dispose);
    }
}
