using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace GenRec.Distributed;

/// <summary>
/// The calling thread's current CUDA device, which NCCL binds a communicator to. libtorch switches devices only inside
/// its own calls, so the device of a rank's GPU is made current with the CUDA runtime's <c>cudaSetDevice</c>, from the
/// <c>libcudart.so</c> a CUDA libtorch has already loaded.
/// </summary>
internal static unsafe class CudaDevice
{
    private static readonly string[] Runtimes = ["libcudart.so.13", "libcudart.so.12", "libcudart.so.11.0", "libcudart.so"];

    public static void MakeCurrent(Device device)
    {
        var index = device.index < 0 ? 0 : device.index;
        var library = Runtimes.Select(name => NativeLibrary.TryLoad(name, out var handle) ? handle : 0).FirstOrDefault(handle => handle != 0);
        if (library == 0)
        {
            if (index == 0)
            {
                return;                                                                        // device 0 is current unless something changed it
            }

            throw new DllNotFoundException($"the CUDA runtime (libcudart) is not in this process, so {device} cannot be made current for NCCL; run one rank per GPU with CUDA_VISIBLE_DEVICES set per rank instead");
        }

        var setDevice = (delegate* unmanaged<int, int>)NativeLibrary.GetExport(library, "cudaSetDevice");
        var code = setDevice(index);
        if (code != 0)
        {
            throw new InvalidOperationException($"cudaSetDevice({index}) failed with CUDA error {code}");
        }
    }
}
