using GenRec.Data;
using GenRec.Text;

namespace GenRec.Training.LlmEsr;

/// <summary>Where LLM-ESR's frozen item text embeddings come from: an imported <c>.npy</c> or the built-in GloVe SIF encoder.</summary>
internal static class SemanticTableSource
{
    /// <summary>Item text embeddings [items + 1, Ds] (row = dense item id; row 0 zero).</summary>
    public static (float[] Values, int Dim) Load(LlmEsrConfig config, SequenceDataset data, Action<string>? log = null)
    {
        if (config.Embeddings == "glove")
        {
            return ItemTextEmbeddings.Compute(data, new SifTextEncoder(WordVectors.Load(config.Vectors ?? WordVectors.DefaultPath)), log);
        }

        if (config.Embeddings.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            log?.Invoke($"item text embeddings from {config.Embeddings}");
            return ItemTextEmbeddings.Import(config.Embeddings, data.NumItems);
        }

        throw new ArgumentException($"llm_esr.embeddings: '{config.Embeddings}' is neither 'glove' nor a .npy file");
    }
}
