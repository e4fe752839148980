using System.Text;

namespace GenRec.Tests.Text;

/// <summary>
/// Writes tiny ONNX models (protobuf wire format, by hand) for the ONNX encoder's tests: a token
/// embedding table E [V, D] looked up by <c>input_ids</c> and zeroed where <c>attention_mask</c> is 0
/// (output <c>last_hidden_state</c> [B, T, D]), optionally max-pooled over tokens into
/// <c>sentence_embedding</c> [B, D].
/// </summary>
internal static class OnnxModelWriter
{
    private const int Float = 1;
    private const int Int64 = 7;

    public static void TokenEmbeddingModel(string path, float[,] table, bool pooled)
    {
        var (v, d) = (table.GetLength(0), table.GetLength(1));
        var raw = new byte[v * d * 4];
        Buffer.BlockCopy(table, 0, raw, 0, raw.Length);
        var graph = new Proto()
            .Msg(1, Node("Gather", ["E", "input_ids"], "tokens"))
            .Msg(1, Node("Cast", ["attention_mask"], "mask_f", Attribute("to", Float)))
            .Msg(1, Node("Unsqueeze", ["mask_f", "axes"], "mask_3d"))
            .Msg(1, Node("Mul", ["tokens", "mask_3d"], "last_hidden_state"))
            .Str(2, "tiny-sentence-model")
            .Msg(5, new Proto().Int(1, v).Int(1, d).Int(2, Float).Str(8, "E").Bytes(9, raw))
            .Msg(5, new Proto().Int(1, 1).Int(2, Int64).Str(8, "axes").Bytes(9, BitConverter.GetBytes(2L)))
            .Msg(11, Value("input_ids", Int64, "batch", "tokens"))
            .Msg(11, Value("attention_mask", Int64, "batch", "tokens"));
        if (pooled)
        {
            graph.Msg(1, Node("ReduceMax", ["last_hidden_state"], "sentence_embedding", new Proto().Str(1, "axes").Int(8, 1).Int(20, 7), Attribute("keepdims", 0)))
                .Msg(12, Value("sentence_embedding", Float, "batch", d));
        }

        graph.Msg(12, Value("last_hidden_state", Float, "batch", "tokens", d));
        var model = new Proto().Int(1, 8).Msg(8, new Proto().Int(2, 13)).Str(2, "genrec-tests").Msg(7, graph);
        File.WriteAllBytes(path, model.ToArray());
    }

    private static Proto Node(string op, string[] inputs, string output, params Proto[] attributes)
    {
        var node = new Proto();
        foreach (var input in inputs)
        {
            node.Str(1, input);
        }

        node.Str(2, output).Str(3, $"{op}_{output}").Str(4, op);
        foreach (var a in attributes)
        {
            node.Msg(5, a);
        }

        return node;
    }

    private static Proto Attribute(string name, long value) => new Proto().Str(1, name).Int(3, value).Int(20, 2);

    // ValueInfoProto with a tensor type; string dims are symbolic, int dims fixed.
    private static Proto Value(string name, int elementType, params object[] dims)
    {
        var shape = new Proto();
        foreach (var dim in dims)
        {
            shape.Msg(1, dim is string symbol ? new Proto().Str(2, symbol) : new Proto().Int(1, (int)dim));
        }

        return new Proto().Str(1, name).Msg(2, new Proto().Msg(1, new Proto().Int(1, elementType).Msg(2, shape)));
    }

    private sealed class Proto
    {
        private readonly MemoryStream bytes = new();

        public Proto Int(int field, long value)
        {
            Key(field, 0);
            Varint((ulong)value);
            return this;
        }

        public Proto Bytes(int field, byte[] value)
        {
            Key(field, 2);
            Varint((ulong)value.Length);
            bytes.Write(value);
            return this;
        }

        public Proto Str(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public Proto Msg(int field, Proto value) => Bytes(field, value.ToArray());

        public byte[] ToArray() => bytes.ToArray();

        private void Key(int field, int wireType) => Varint((ulong)((field << 3) | wireType));

        private void Varint(ulong value)
        {
            while (value >= 0x80)
            {
                bytes.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }

            bytes.WriteByte((byte)value);
        }
    }
}
