using GenRec.Checkpoints;
using GenRec.Compute;
using GenRec.Data;
using GenRec.Serving;
using Microsoft.Extensions.Logging;

namespace GenRec.AspNetCore;

/// <summary>
/// The one serving wiring, shared by <c>genrec serve</c> and <see cref="GenRecHostingExtensions.AddGenRec(Microsoft.Extensions.DependencyInjection.IServiceCollection, Action{GenRecServingOptions})"/>:
/// <see cref="Start"/> opens the checkpoint (or the one a previous run's reloads left in the state file), validates it
/// as a reload is validated and builds the <see cref="ModelHost"/> with its reload loaders; <see cref="Wire"/> attaches
/// what follows a swap (dynamic batching moved to the new engine, the old one retired after the request timeout, the
/// metrics, the log line and the state file).
/// </summary>
internal static class ServedModels
{
    /// <summary>Opens and validates the served models; a remembered model that is gone or fails falls back to <see cref="GenRecServingOptions.Checkpoint"/>, with a warning.</summary>
    /// <exception cref="InvalidDataException">The configured checkpoint is not sound (NaN weights, degenerate answers).</exception>
    public static ModelHost Start(GenRecServingOptions options, Action<LogLevel, string> log)
    {
        if (string.IsNullOrWhiteSpace(options.Checkpoint))
        {
            throw new ArgumentException("checkpoint: give the checkpoint to serve", nameof(options));
        }

        if (options.AdminToken is { Length: < 16 })
        {
            throw new ArgumentException($"admin token: at least 16 characters, got {options.AdminToken.Length}", nameof(options));
        }

        var startedWith = Path.GetFullPath(options.Checkpoint);
        var device = ComputeDevice.Resolve(options.Device);
        var paths = new ModelPathGuard(ModelRoot(options), options.MaxModelBytes);
        var newItemOrder = Configuration.ClosedChoice.Parse<NewItemOrder>(options.NewItemOrder, nameof(GenRecServingOptions.NewItemOrder));
        var itemText = new ServedItemText(options, message => log(LogLevel.Information, $"catalog: {message}"));
        ModelHost? host = null;
        IRetriever Load(string path)
        {
            var open = new CheckpointOpenOptions { Device = device, Log = message => log(LogLevel.Information, message) };
            if (Checkpoint.KindOf(path) == CheckpointKind.Tiger)
            {
                return options.NewItemShare > 0
                    ? throw new ArgumentException($"{path}: a generative (TIGER) model has no places for added items (--new-item-share is for models served from an index)")
                    : GenerativeEngine.Load(path, open, options.Beams, options.MaxBeams);
            }

            // A reload (after a catalogue change, or of the served file) builds on the engine it replaces where it can.
            var engine = RetrievalEngine.Load(path, open, options.Index, host?.Current.Engine as RetrievalEngine);
            engine.NewItemShare = options.NewItemShare;
            if (options.NewItemShare > 0 && newItemOrder == NewItemOrder.Text && engine.Items is not null)
            {
                try
                {
                    engine.PlaceNewItemsByText(itemText.Trained(engine));
                }
                catch (Exception e) when (e is InvalidDataException or ArgumentException or IOException)
                {
                    engine.Dispose();
                    throw new InvalidDataException($"--new-item-order text places added items by the trained items' text, which is not to be had: {e.Message} (give --catalog-text-embeddings, or serve with --new-item-order model)", e);
                }
                catch
                {
                    engine.Dispose();
                    throw;
                }
            }

            engine.PrecomputeKnownUsers(options.PrecomputeUsers);
            return engine;
        }

        RankingEngine LoadRanker(string path, SequenceDataset dataset) => RankingEngine.Load(path, dataset, device);

        ServedModel? served = null;
        if (options.StateFile is { } state && ServedModelState.Read(state, startedWith) is { } remembered)
        {
            try
            {
                var engine = Load(paths.Resolve(remembered.Checkpoint, "checkpoint"));
                var ranker = remembered.Ranker is { } rememberedRanker ? LoadRanker(paths.Resolve(rememberedRanker, "ranker"), engine.Dataset) : null;
                served = new ServedModel(engine, ranker, 1, DateTimeOffset.UtcNow);
                ModelValidation.CheckSound(served);
                log(LogLevel.Information, $"{state}: serving the last reloaded model {remembered.Checkpoint} (generation {remembered.Generation})");
            }
            catch (Exception e) when (e is RequestException or IOException or InvalidDataException or ArgumentException or KeyNotFoundException or DataFormatException or UnauthorizedAccessException or System.Text.Json.JsonException)
            {
                served = null;
                log(LogLevel.Warning, $"{state}: the last reloaded model {remembered.Checkpoint} is missing or invalid ({e.Message}); serving the checkpoint {startedWith} instead");
            }
        }

        if (served is null)
        {
            var engine = Load(startedWith);
            served = new ServedModel(engine, options.Ranker is { } rankerPath ? LoadRanker(rankerPath, engine.Dataset) : null, 1, DateTimeOffset.UtcNow);
            try
            {
                ModelValidation.CheckSound(served);
            }
            catch (RequestException e)
            {
                throw new InvalidDataException($"{startedWith}: not served: {e.Message}", e);
            }
        }

        host = new ModelHost(served.Engine, served.Ranker, paths.ReloadsOf(served.Engine.Source, Load), LoadRanker) { Paths = paths, Timeout = options.ReloadTimeout, ItemText = itemText };
        return host;
    }

    /// <summary>What follows a swap or an abandoned reload; dynamic batching on the current engine when configured.</summary>
    public static void Wire(ModelHost host, GenRecServingOptions options, ServiceMetrics metrics, ILogger log)
    {
        var device = ComputeDevice.Resolve(options.Device);
        void Batching(IRetriever engine)
        {
            var batch = options.BatchSizeOn(device, engine is GenerativeEngine);
            if (batch > 1)
            {
                engine.EnableBatching(batch, options.BatchWait, metrics.Batch, options.BatchWorkers);
            }
        }

        Batching(host.Current.Engine);
        var startedWith = Path.GetFullPath(options.Checkpoint is { Length: > 0 } c ? c : host.Current.Engine.Source);
        host.Swapped += (previous, served) =>
        {
            Batching(served.Engine);
            _ = previous.Engine.StopBatching();
            ModelHost.Retire(previous, options.RequestTimeout + TimeSpan.FromSeconds(5));
            metrics.Reload("ok", served.Generation);
            log.LogInformation("reload: now serving {Checkpoint} (generation {Generation})", served.Engine.Source, served.Generation);
            if (options.StateFile is { } state)
            {
                new ServedModelState(startedWith, served.Engine.Source, served.Ranker?.Source, served.Generation, served.LoadedAt).Write(state);
            }
        };
        host.LoadAbandoned += reason => metrics.Reload($"abandoned_{reason}", host.Current.Generation);
    }

    /// <summary>The folder reloads may come from: the configured one, else the folder above the checkpoint's (e.g. <c>runs/</c>).</summary>
    public static string ModelRoot(GenRecServingOptions options) =>
        options.ModelRoot ?? Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(options.Checkpoint))) ?? "/";
}
