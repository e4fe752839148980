using GenRec.Data;
using GenRec.Serving;
using GenRec.Util;

namespace GenRec.AspNetCore;

/// <summary>
/// Holds the served models (retrieval, and optionally ranking) and swaps them for new checkpoints
/// without dropping requests. A reload resolves its paths through the <see cref="ModelPathGuard"/>
/// (when reloads from files are allowed), then loads and validates the new models off the request
/// thread within a timeout, and only then swaps one reference; a request keeps the models it started
/// with. One reload at a time: another one meanwhile gets 409, also while a load whose caller stopped waiting (its
/// timeout passed, or the client went away) is still finishing in the background: the guard is held until that load
/// really ends, and a model it produced is disposed, never served (<see cref="LoadAbandoned"/> counts them). The host
/// does not dispose old models (requests may still hold them):
/// whoever handles <see cref="Swapped"/> does, once no request can (the service: request timeout + 5 s).
/// </summary>
internal sealed class ModelHost
{
    private readonly Func<string, IRetriever> loadRetrieval;
    private readonly Func<string, SequenceDataset, RankingEngine> loadRanker;
    private ServedModel current;
    private int reloading;

    public ModelHost(IRetriever engine, RankingEngine? ranker, Func<string, IRetriever> loadRetrieval, Func<string, SequenceDataset, RankingEngine>? loadRanker = null)
    {
        current = new ServedModel(engine, ranker, 1, DateTimeOffset.UtcNow);
        this.loadRetrieval = loadRetrieval;
        this.loadRanker = loadRanker ?? ((path, dataset) => RankingEngine.Load(path, dataset));
    }

    /// <summary>The models now served; a request reads this once and uses those throughout.</summary>
    public ServedModel Current => Volatile.Read(ref current);

    /// <summary>Paths allowed for reloads; null: paths are taken as given (tests, embedded hosts).</summary>
    public ModelPathGuard? Paths { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>The served items' text (encoder, trained items' vectors), shared by the loads and the catalogue; null: the catalogue keeps its own.</summary>
    public ServedItemText? ItemText { get; init; }

    /// <summary>Called with each newly served model (after the swap): batching, metrics, the state file.</summary>
    public event Action<ServedModel, ServedModel>? Swapped;

    /// <summary>Called when a caller stops waiting for a load that goes on ("timeout" or "cancelled"): metrics.</summary>
    public event Action<string>? LoadAbandoned;

    /// <summary>Whether a reload (or a load nobody waits for any more) is running: new reloads get 409 meanwhile.</summary>
    public bool Reloading => Volatile.Read(ref reloading) != 0;

    /// <summary>
    /// Frees a replaced model once no request can still hold it (after <paramref name="grace"/>: the request timeout and
    /// a margin): its weights are native memory the GC does not see, so the engine is disposed, the GC runs and the
    /// allocator hands the pages back.
    /// </summary>
    public static void Retire(ServedModel previous, TimeSpan grace) =>
        _ = Task.Delay(grace).ContinueWith(
            _ =>
            {
                previous.Engine.Dispose();
                GC.Collect();
                NativeHeap.Release();
            },
            TaskScheduler.Default);

    /// <summary>
    /// Loads the checkpoints (the current ones when null), validates them against the served model and
    /// serves them. Refusals are <see cref="RequestException"/>s (4xx; 409 busy; 503 timed out).
    /// </summary>
    public async Task<ServedModel> ReloadAsync(ReloadRequest request, CancellationToken cancel)
    {
        if (Interlocked.CompareExchange(ref reloading, 1, 0) != 0)
        {
            throw new RequestException(409, "a reload is already running");
        }

        var released = false;
        try
        {
            var previous = Current;
            var checkpoint = request.Checkpoint is { } c ? Paths?.Resolve(c, "checkpoint") ?? c : previous.Engine.Source;
            var rankerPath = request.Ranker is { } r ? Paths?.Resolve(r, "ranker") ?? r : previous.Ranker?.Source;
            var work = Task.Run(
                () =>
                {
                    var engine = Load(() =>
                    {
                        UnixFile.RequireRegular(checkpoint, "checkpoint");                     // the served file too, when no path is given
                        return loadRetrieval(checkpoint);
                    });
                    var ranker = rankerPath is null ? null : Load(() => loadRanker(rankerPath, engine.Dataset));
                    var candidate = new ServedModel(engine, ranker, previous.Generation + 1, DateTimeOffset.UtcNow);
                    ModelValidation.Check(candidate, previous, request.AllowDatasetChange);
                    return candidate;
                },
                CancellationToken.None);
            ServedModel served;
            try
            {
                served = await work.WaitAsync(Timeout, cancel);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
                // Nobody waits any more, but the load goes on (a load cannot be stopped half-way): reloads stay refused
                // (409) until it has ended, and what it produced is freed, not served.
                released = true;
                _ = work.ContinueWith(DiscardAbandoned, TaskScheduler.Default);
                LoadAbandoned?.Invoke(e is TimeoutException ? "timeout" : "cancelled");
                if (e is TimeoutException)
                {
                    throw new RequestException(503, $"loading took longer than {Timeout.TotalSeconds:N0} s; still serving the previous model");
                }

                throw;
            }

            Volatile.Write(ref current, served);
            Swapped?.Invoke(previous, served);
            return served;
        }
        finally
        {
            if (!released)
            {
                Volatile.Write(ref reloading, 0);
            }
        }
    }

    /// <summary>The end of a load whose caller left: its model (if it loaded) disposed, its memory handed back, then the guard released.</summary>
    private void DiscardAbandoned(Task<ServedModel> load)
    {
        try
        {
            if (load.IsCompletedSuccessfully)
            {
                load.Result.Engine.Dispose();
                GC.Collect();
                NativeHeap.Release();
            }
        }
        finally
        {
            Volatile.Write(ref reloading, 0);
        }
    }

    private static T Load<T>(Func<T> load)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or InvalidDataException or EndOfStreamException or IOException
            or ArgumentException or KeyNotFoundException or DataFormatException or FormatException or System.Text.Json.JsonException or UnauthorizedAccessException or System.Runtime.InteropServices.ExternalException)
        {
            throw new RequestException(422, $"reload failed, still serving the previous model: {e.Message}");
        }
    }
}

/// <summary>The served models with their generation (1 for the first, +1 per reload) and load time.</summary>
internal sealed record ServedModel(IRetriever Engine, RankingEngine? Ranker, int Generation, DateTimeOffset LoadedAt);
