using GenRec.Configuration;
using GenRec.Data;
using GenRec.Text;
using GenRec.Util;

namespace GenRec.Training.LlmEsr;

/// <summary>
/// Where LLM-ESR's frozen item text embeddings come from: an imported <c>.npy</c>, or an item-text encoder
/// by name (<see cref="TextEncoders"/>: minilm, arctic-xs, glove). Vectors of a named encoder are cached
/// per dataset (<c>&lt;cache&gt;/&lt;dataset&gt;-&lt;encoder&gt;.npy</c>, written atomically), so the runs of a comparison embed once.
/// </summary>
internal static class SemanticTableSource
{
    /// <summary>Item text embeddings [items + 1, Ds] (row = dense item id; row 0 zero).</summary>
    public static (float[] Values, int Dim) Load(LlmEsrConfig config, SequenceDataset data, Action<string>? log = null, string? cacheDir = null)
    {
        if (config.Embeddings.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            log?.Invoke($"item text embeddings from {config.Embeddings}");
            return ItemTextEmbeddings.Import(config.Embeddings, data.NumItems);
        }

        if (!TextEncoders.IsKnown(config.Embeddings))
        {
            throw new ArgumentException($"llm_esr.embeddings: '{config.Embeddings}' is neither an item-text encoder ({string.Join(", ", TextEncoders.Names)}) nor a .npy file");
        }

        var cache = Path.Combine(cacheDir ?? DatasetRequest.DefaultCacheDir, $"{data.Name}-{data.NumItems}-{config.Embeddings}.npy");
        if (config.Embeddings != WordVectors.EncoderName && File.Exists(cache))
        {
            log?.Invoke($"item text embeddings ({config.Embeddings}) from the cache {cache}");
            return ItemTextEmbeddings.Import(cache, data.NumItems);
        }

        var encoder = TextEncoders.Create(config.Embeddings, config.Vectors);
        try
        {
            var (values, dim) = ItemTextEmbeddings.Compute(data, encoder, log);
            if (config.Embeddings != WordVectors.EncoderName)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(cache))!);
                NpyFile.Write(cache, values, data.NumItems + 1, dim);                        // atomic
            }

            return (values, dim);
        }
        finally
        {
            (encoder as IDisposable)?.Dispose();
        }
    }
}
