using GenRec.Catalog;
using GenRec.Serving;
using GenRec.Text;

namespace GenRec.AspNetCore;

/// <summary>
/// The served items' text: the catalogue's encoder (made at first use), and the trained items' text vectors, once per
/// checkpoint file (<c>--catalog-text-embeddings</c>, else the model's text view, else embedded with the encoder). The
/// catalogue's mapping is fitted on them, and the added items' places go by them (<see cref="NewItemOrder.Text"/>).
/// </summary>
internal sealed class ServedItemText(GenRecServingOptions options, Action<string> log) : IDisposable
{
    private readonly Lock gate = new();
    private ITextEncoder? encoder;
    private (string Source, CheckpointStamp? Stamp, (float[] Values, int Dim) Text)? trained;

    /// <summary>The catalogue's text encoder.</summary>
    /// <exception cref="ArgumentException">The host names an encoder it does not have.</exception>
    public ITextEncoder Encoder()
    {
        lock (gate)
        {
            return encoder ??= TextEncoders.Create(options.CatalogEncoder);
        }
    }

    /// <summary>The text vectors of the items <paramref name="engine"/>'s checkpoint was trained on ([trained + 1, T], row 0 padding).</summary>
    public (float[] Values, int Dim) Trained(RetrievalEngine engine)
    {
        lock (gate)
        {
            if (trained is { } cached && cached.Source == engine.Source && cached.Stamp == engine.Stamp)
            {
                return cached.Text;
            }

            var baseItems = engine.FirstNewItem - 1;
            var text = options.CatalogTextEmbeddings is { } npy
                ? ItemTextEmbeddings.Import(npy, baseItems)
                : CatalogAdd.WarmText(engine.Model, engine.Dataset, baseItems, Encoder(), log);
            trained = (engine.Source, engine.Stamp, text);
            return text;
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            (encoder as IDisposable)?.Dispose();
            encoder = null;
        }
    }
}
