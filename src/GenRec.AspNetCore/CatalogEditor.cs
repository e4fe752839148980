using GenRec.Catalog;
using GenRec.Data;
using GenRec.Serving;
using GenRec.Text;
using Microsoft.Extensions.Logging;

namespace GenRec.AspNetCore;

/// <summary>
/// The served model's catalogue, changed online (admin endpoints <c>/catalog/items</c>, <c>/catalog/withdraw</c>,
/// <c>/catalog/restore</c>): one change at a time; the text is embedded and the content mapping fitted off the request
/// thread; the change is written atomically beside the served checkpoint (<see cref="ItemCatalog"/>), then the checkpoint
/// is reloaded and validated as <c>/reload</c> does, so the answer comes once the change is served, and a restart or a
/// reload serves the same catalogue.
/// </summary>
internal sealed class CatalogEditor(ModelHost host, GenRecServingOptions options, ILogger log) : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);

    // Parsed when the endpoints are mapped: a host configured with an unknown mapping does not start.
    private readonly ContentMappingKind mapping = Configuration.ClosedChoice.Parse<ContentMappingKind>(options.CatalogMapping, nameof(GenRecServingOptions.CatalogMapping));

    // The host's (shared with the loads that place new items by text), or this editor's own.
    private readonly ServedItemText text = host.ItemText ?? new ServedItemText(options, line => log.LogInformation("catalog: {Line}", line));

    /// <summary>Adds items (all or nothing, idempotent); the answer: counts and the generation now served.</summary>
    public async Task<object> AddAsync(CatalogAddRequest request, CancellationToken cancel)
    {
        var items = Items(request.Items, options.MaxCatalogItems).Select((item, i) => (Key: Id(item.Id, i), Metadata: Metadata(item, i))).ToArray();
        return await Change(async served =>
        {
            var engine = IdBased(served);
            var checkpoint = engine.Source;
            var outcome = await Task.Run(() => CatalogAdd.Run(checkpoint, engine.Model, engine.Dataset, items, Encoder(), () => WarmText(served), mapping, seed: 42, line => log.LogInformation("catalog: {Line}", line)), CancellationToken.None);
            return (outcome.Added > 0, (Func<ServedModel, object>)(now => new { added = outcome.Added, already_there = outcome.AlreadyThere, items = now.Engine.Dataset.NumItems, model_generation = now.Generation }));
        }, cancel);
    }

    /// <summary>Withdraws items from recommendation (<paramref name="withdraw"/>) or restores them.</summary>
    public async Task<object> WithdrawAsync(CatalogIdsRequest request, bool withdraw, CancellationToken cancel)
    {
        var keys = Items(request.Items, options.MaxCatalogItems).Select(Id).ToArray();
        return await Change(served =>
        {
            var engine = IdBased(served);
            var outcome = CatalogWithdraw.Run(engine.Source, engine.Dataset, keys, withdraw);
            return Task.FromResult((outcome.Changed > 0, (Func<ServedModel, object>)(now => new { changed = outcome.Changed, unchanged = outcome.Unchanged, withdrawn = outcome.Withdrawn, model_generation = now.Generation })));
        }, cancel);
    }

    public void Dispose()
    {
        if (host.ItemText is null)
        {
            text.Dispose();
        }

        gate.Dispose();
    }

    // One change at a time: applied to the served checkpoint's catalogue, then served by a reload of that checkpoint.
    private async Task<object> Change(Func<ServedModel, Task<(bool Changed, Func<ServedModel, object> Answer)>> change, CancellationToken cancel)
    {
        await gate.WaitAsync(cancel);
        try
        {
            var served = host.Current;
            (bool Changed, Func<ServedModel, object> Answer) result;
            try
            {
                result = await change(served);
            }
            catch (CatalogConflictException e)
            {
                throw new RequestException(409, e.Message);
            }
            catch (ArgumentException e)
            {
                throw new RequestException(400, e.Message);
            }
            catch (InvalidDataException e)
            {
                throw new RequestException(422, e.Message);                                    // the served model's own data cannot fit a mapping
            }

            return result.Answer(result.Changed ? await Reload(cancel) : served);
        }
        finally
        {
            gate.Release();
        }
    }

    // The changed catalogue served: a reload of the same checkpoint, waiting for one already running to end.
    private async Task<ServedModel> Reload(CancellationToken cancel)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await host.ReloadAsync(new ReloadRequest(), cancel);
            }
            catch (RequestException e) when (e.StatusCode == 409 && waited.Elapsed < host.Timeout)
            {
                await Task.Delay(50, cancel);
            }
        }
    }

    private ITextEncoder Encoder()
    {
        try
        {
            return text.Encoder();
        }
        catch (ArgumentException e)
        {
            throw new RequestException(501, $"items cannot be named by their text in this host: {e.Message}");
        }
    }

    // The trained items' text vectors, once per served checkpoint: from the option's .npy, the model's text view, or embedded.
    private (float[] Values, int Dim) WarmText(ServedModel served) => text.Trained(IdBased(served));

    // The served ID-based model; a generative one names new items by semantic IDs, which serving does not assign yet.
    private static RetrievalEngine IdBased(ServedModel served) =>
        served.Engine as RetrievalEngine ?? throw new RequestException(409, "the served model is generative (semantic IDs): its catalogue is the trie of its items' IDs, which this service does not change; catalogue changes are for ID-based retrieval models");

    private static T[] Items<T>(T[]? items, int max) =>
        items is not { Length: > 0 } ? throw new RequestException(400, "field 'items': give at least one item")
        : items.Length > max ? throw new RequestException(413, $"field 'items': {items.Length:N0} items, at most {max:N0} per request")
        : items;

    private static string Id(string? id, int index) =>
        string.IsNullOrWhiteSpace(id) ? throw new RequestException(400, $"field 'items[{index}]{(id is null ? ".id" : "")}': an item id is required")
        : id.Length > 256 ? throw new RequestException(400, $"field 'items[{index}]': an id of {id.Length} characters, at most 256")
        : id;

    private static ItemMetadata Metadata(CatalogItemRequest item, int index)
    {
        if (string.IsNullOrWhiteSpace(item.Title) && item.Categories is not { Length: > 0 } && string.IsNullOrWhiteSpace(item.Brand))
        {
            throw new RequestException(400, $"field 'items[{index}].title': an item needs text to be named by (title, categories or brand)");
        }

        return new ItemMetadata(item.Title ?? "", item.Categories ?? [], item.Brand, item.Price);
    }
}
