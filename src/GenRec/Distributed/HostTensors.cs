using static TorchSharp.torch;

namespace GenRec.Distributed;

/// <summary>
/// Tensor collectives of a group that works on host memory (MPI, one process): a contiguous float32 CPU tensor is
/// reduced where it lies (its storage as a span, no copy); any other tensor (on a GPU, or strided) through a host copy
/// that is written back.
/// </summary>
internal static class HostTensors
{
    public static void AllReduceSum(IProcessGroup group, Tensor values) => Run(values, span => group.AllReduceSum(span));

    public static void Broadcast(IProcessGroup group, Tensor values, int root) => Run(values, span => group.Broadcast(span, root));

    /// <summary>The address of a contiguous float32 tensor's first element (host or device memory).</summary>
    public static nint Address(Tensor values)
    {
        if (values.dtype != ScalarType.Float32 || !values.is_contiguous())
        {
            throw new ArgumentException($"collectives take contiguous float32 tensors (got {values.dtype}{(values.is_contiguous() ? "" : ", strided")})", nameof(values));
        }

        return values.storage<float>().data_ptr() + (nint)(values.storage_offset() * sizeof(float));
    }

    private delegate void SpanAction(Span<float> values);

    private static unsafe void Run(Tensor values, SpanAction action)
    {
        if (values.numel() == 0)
        {
            return;
        }

        if (values.device.type == TorchSharp.DeviceType.CPU && values.dtype == ScalarType.Float32 && values.is_contiguous())
        {
            action(new Span<float>((void*)Address(values), checked((int)values.numel())));
            return;
        }

        using var host = values.detach().to(ScalarType.Float32).cpu().contiguous().clone();
        action(new Span<float>((void*)Address(host), checked((int)host.numel())));
        using var _ = no_grad();
        values.copy_(host.view(values.shape));
    }
}
