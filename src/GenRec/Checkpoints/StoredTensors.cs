using GenRec.Training;
using TorchSharp;

namespace GenRec.Checkpoints;

/// <summary>One tensor of a checkpoint's weight section, as the file describes it (nothing allocated).</summary>
internal sealed record StoredTensor(string Name, torch.ScalarType Type, long[] Shape, long Bytes);

/// <summary>
/// Reads the weight section of a checkpoint (TorchSharp's state-dict layout: an entry count, then per tensor its name,
/// element type, rank, dimensions and data) without allocating a tensor: every length is checked against limits and
/// against what is left of the file, the data is skipped, and the stream is put back where it was. What a header
/// claims can then be compared with what the file really holds before a model is built from it.
/// </summary>
internal static class StoredTensors
{
    public const int MaxTensors = 100_000;
    public const int MaxRank = 16;
    public const int MaxNameBytes = 4_096;

    /// <summary>The tensors from the reader's position on; the position is restored afterwards.</summary>
    public static IReadOnlyList<StoredTensor> Scan(BinaryReader r, string path)
    {
        var stream = r.BaseStream;
        var start = stream.Position;
        try
        {
            var count = CheckpointFile.ReadBoundedVarint(r, path, "tensor count", MaxTensors);
            var tensors = new List<StoredTensor>((int)Math.Min(count, 1024));
            for (var i = 0; i < count; i++)
            {
                var name = CheckpointFile.ReadBoundedString(r, path, $"name of tensor {i}", MaxNameBytes);
                var type = (torch.ScalarType)CheckpointFile.ReadBoundedVarint(r, path, $"element type of {name}", 64);
                var size = ElementSize(type) ?? throw new InvalidDataException($"{path}: tensor {name} has an unknown element type {(int)type}");
                var rank = CheckpointFile.ReadBoundedVarint(r, path, $"rank of {name}", MaxRank);
                var shape = new long[rank];
                var elements = 1.0;
                for (var d = 0; d < rank; d++)
                {
                    shape[d] = CheckpointFile.ReadBoundedVarint(r, path, $"dimension {d} of {name}", long.MaxValue);
                    elements *= shape[d];
                }

                var left = stream.Length - stream.Position;
                if (elements * size > left)
                {
                    throw new InvalidDataException($"{path}: truncated or damaged weights: tensor {name} [{string.Join(", ", shape)}] claims {elements * size:N0} bytes; the file has {left:N0} left");
                }

                var bytes = (long)elements * size;
                stream.Seek(bytes, SeekOrigin.Current);
                tensors.Add(new StoredTensor(name, type, shape, bytes));
            }

            return tensors;
        }
        finally
        {
            stream.Position = start;
        }
    }

    private static int? ElementSize(torch.ScalarType type) => type switch
    {
        torch.ScalarType.Byte or torch.ScalarType.Int8 or torch.ScalarType.Bool => 1,
        torch.ScalarType.Int16 or torch.ScalarType.Float16 or torch.ScalarType.BFloat16 => 2,
        torch.ScalarType.Int32 or torch.ScalarType.Float32 => 4,
        torch.ScalarType.Int64 or torch.ScalarType.Float64 or torch.ScalarType.ComplexFloat32 => 8,
        torch.ScalarType.ComplexFloat64 => 16,
        _ => null,
    };
}
