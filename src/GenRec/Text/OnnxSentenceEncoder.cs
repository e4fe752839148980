using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Tokenizers;

namespace GenRec.Text;

/// <summary>How token states [B, T, D] become one sentence vector: the mean over attended tokens (sentence-transformers' mean pooling, all-MiniLM-L6-v2) or the first token's state ([CLS] pooling, arctic-embed).</summary>
internal enum SentencePooling
{
    Mean,
    Cls,
}

/// <summary>How an ONNX sentence model is run: truncation, batch size, casing, pooling output, normalisation.</summary>
internal sealed record OnnxEncoderOptions
{
    /// <summary>Tokens per text including [CLS] and [SEP] (longer texts are truncated).</summary>
    public int MaxTokens { get; init; } = 128;

    public int BatchSize { get; init; } = 32;

    /// <summary>Lower-case before WordPiece (uncased models such as all-MiniLM-L6-v2).</summary>
    public bool LowerCase { get; init; } = true;

    /// <summary>The model output to read; null: <c>sentence_embedding</c> when the model has it, else its first output.</summary>
    public string? OutputName { get; init; }

    /// <summary>Pooling of a [B, T, D] output (a [B, D] output is taken as it is).</summary>
    public SentencePooling Pooling { get; init; } = SentencePooling.Mean;

    /// <summary>L2-normalise each vector (as sentence-transformers' Normalize layer).</summary>
    public bool Normalize { get; init; } = true;

    /// <summary>ONNX Runtime intra-op threads (0: its default).</summary>
    public int Threads { get; init; }
}

/// <summary>
/// A sentence-embedding model in ONNX (e.g. a sentence-transformers model exported to ONNX, with its
/// tokenizer's <c>vocab.txt</c>), run by ONNX Runtime. Each text is WordPiece-tokenised by
/// Microsoft.ML.Tokenizers' BERT tokenizer as <c>[CLS] text [SEP]</c> (truncated to
/// <see cref="OnnxEncoderOptions.MaxTokens"/>); batches of similar length are fed as <c>input_ids</c>,
/// <c>attention_mask</c> (and <c>token_type_ids</c> when the model asks for it), int64 [B, T]. A model
/// output of rank 2 [B, D] is taken as the sentence vector; one of rank 3 [B, T, D] (token states) is
/// pooled by <see cref="OnnxEncoderOptions.Pooling"/> (mean over the attention mask, or the [CLS] state). Vectors are then
/// L2-normalised unless told otherwise.
/// </summary>
internal sealed class OnnxSentenceEncoder : ITextEncoder, IDisposable
{
    private readonly InferenceSession session;
    private readonly BertTokenizer tokenizer;
    private readonly OnnxEncoderOptions options;
    private readonly string outputName;
    private readonly bool wantsTokenTypes;

    /// <param name="modelPath">The .onnx file.</param>
    /// <param name="vocabPath">The WordPiece vocabulary; null: <c>vocab.txt</c> beside the model.</param>
    public OnnxSentenceEncoder(string modelPath, string? vocabPath = null, OnnxEncoderOptions? options = null)
        : this(ModelFile(modelPath), VocabFile(modelPath, vocabPath), $"onnx-{Path.GetFileNameWithoutExtension(modelPath)}", modelPath, options)
    {
    }

    /// <summary>A model held in memory (e.g. an ONNX model shipped inside a NuGet package's assembly) and its WordPiece vocabulary.</summary>
    /// <param name="model">The ONNX model's bytes.</param>
    /// <param name="vocab">The vocab.txt stream (read here, not disposed).</param>
    /// <param name="name">The encoder's name in logs and result files.</param>
    public OnnxSentenceEncoder(byte[] model, Stream vocab, string name, OnnxEncoderOptions? options = null)
        : this(model, vocab, name, name, options)
    {
    }

    private OnnxSentenceEncoder(object model, object vocab, string name, string source, OnnxEncoderOptions? options)
    {
        this.options = options ?? new OnnxEncoderOptions();
        if (this.options.MaxTokens < 3 || this.options.BatchSize < 1)
        {
            throw new ArgumentException($"MaxTokens must be at least 3 ([CLS], one token, [SEP]) and BatchSize at least 1, got {this.options.MaxTokens} and {this.options.BatchSize}");
        }

        var bertOptions = new BertOptions { LowerCaseBeforeTokenization = this.options.LowerCase };
        tokenizer = vocab is Stream stream ? BertTokenizer.Create(stream, bertOptions) : BertTokenizer.Create((string)vocab, bertOptions);
        var sessionOptions = new SessionOptions();
        if (this.options.Threads > 0)
        {
            sessionOptions.IntraOpNumThreads = this.options.Threads;
        }

        try
        {
            session = model is byte[] bytes ? new InferenceSession(bytes, sessionOptions) : new InferenceSession((string)model, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"{source}: ONNX Runtime cannot load it: {e.Message}", e);
        }

        Name = name;
        var inputs = session.InputMetadata.Keys.ToHashSet();
        string[] unknown = [.. inputs.Except(["input_ids", "attention_mask", "token_type_ids"])];
        if (!inputs.Contains("input_ids") || unknown.Length > 0)
        {
            throw new InvalidDataException($"{source}: expected inputs input_ids, attention_mask (and optionally token_type_ids), the model has {string.Join(", ", inputs)}");
        }

        wantsTokenTypes = inputs.Contains("token_type_ids");
        var outputs = session.OutputMetadata;
        outputName = this.options.OutputName ?? (outputs.ContainsKey("sentence_embedding") ? "sentence_embedding" : outputs.Keys.First());
        if (!outputs.TryGetValue(outputName, out var output) || output.Dimensions.Length is not (2 or 3))
        {
            throw new InvalidDataException($"{source}: output '{outputName}' must be [batch, dim] or [batch, tokens, dim]; outputs: {string.Join(", ", outputs.Select(o => $"{o.Key} [{string.Join(", ", o.Value.Dimensions)}]"))}");
        }

        Dim = output.Dimensions[^1] > 0 ? output.Dimensions[^1] : Run([Tokenize("dimension probe")]).Length;
    }

    public string Name { get; }

    private static string ModelFile(string modelPath) =>
        File.Exists(modelPath) ? modelPath : throw new FileNotFoundException($"{modelPath}: no such ONNX model file", modelPath);

    private static string VocabFile(string modelPath, string? vocabPath)
    {
        vocabPath ??= Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, "vocab.txt");
        return File.Exists(vocabPath) ? vocabPath : throw new FileNotFoundException($"{vocabPath}: no WordPiece vocabulary (vocab.txt) for {modelPath}; give its path with --vocab", vocabPath);
    }

    public int Dim { get; }

    /// <summary>The model's token ids of one text: <c>[CLS] wordpieces [SEP]</c>, truncated to MaxTokens.</summary>
    public int[] Tokenize(string text)
    {
        // Truncated as Hugging Face tokenizers do: after the first MaxTokens - 2 word pieces, even inside a word.
        var pieces = tokenizer.EncodeToIds(text, addSpecialTokens: false);
        return [tokenizer.ClassificationTokenId, .. pieces.Take(options.MaxTokens - 2), tokenizer.SeparatorTokenId];
    }

    public float[] Encode(IReadOnlyList<string> texts)
    {
        var tokens = texts.Select(Tokenize).ToArray();
        var result = new float[texts.Count * Dim];
        var byLength = Enumerable.Range(0, texts.Count).OrderBy(i => tokens[i].Length).ToArray(); // batches of similar length pad little
        foreach (var batch in byLength.Chunk(options.BatchSize))
        {
            var vectors = Run([.. batch.Select(i => tokens[i])]);
            for (var b = 0; b < batch.Length; b++)
            {
                vectors.AsSpan(b * Dim, Dim).CopyTo(result.AsSpan(batch[b] * Dim, Dim));
            }
        }

        return result;
    }

    // Token ids of B texts -> B sentence vectors, row-major [B, D].
    private float[] Run(int[][] batch)
    {
        var b = batch.Length;
        var t = batch.Max(x => x.Length);
        var ids = new DenseTensor<long>([b, t]);
        var mask = new DenseTensor<long>([b, t]);
        for (var i = 0; i < b; i++)
        {
            for (var j = 0; j < t; j++)
            {
                ids[i, j] = j < batch[i].Length ? batch[i][j] : tokenizer.PaddingTokenId;
                mask[i, j] = j < batch[i].Length ? 1 : 0;
            }
        }

        var inputs = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor("input_ids", ids) };
        if (session.InputMetadata.ContainsKey("attention_mask"))
        {
            inputs.Add(NamedOnnxValue.CreateFromTensor("attention_mask", mask));
        }

        if (wantsTokenTypes)
        {
            inputs.Add(NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>([b, t])));
        }

        using var results = session.Run(inputs, [outputName]);
        var output = results[0].AsTensor<float>();
        var d = output.Dimensions[^1];
        var vectors = new float[b * d];
        for (var i = 0; i < b; i++)
        {
            var row = vectors.AsSpan(i * d, d);
            if (output.Rank == 2)
            {
                for (var k = 0; k < d; k++)
                {
                    row[k] = output[i, k];
                }
            }
            else if (options.Pooling == SentencePooling.Cls)
            {
                // [B, T, D] token states: the [CLS] token's.
                for (var k = 0; k < d; k++)
                {
                    row[k] = output[i, 0, k];
                }
            }
            else
            {
                // [B, T, D] token states: mean over the attended tokens.
                var count = batch[i].Length;
                for (var j = 0; j < count; j++)
                {
                    for (var k = 0; k < d; k++)
                    {
                        row[k] += output[i, j, k] / count;
                    }
                }
            }

            var norm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot(row, row));
            if (options.Normalize && norm > 0)
            {
                System.Numerics.Tensors.TensorPrimitives.Divide(row, norm, row);
            }
        }

        return vectors;
    }

    public void Dispose() => session.Dispose();
}
