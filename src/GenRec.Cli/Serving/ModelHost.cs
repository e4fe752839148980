using GenRec.Data;
using GenRec.Serving;

namespace GenRec.Cli.Serving;

/// <summary>
/// Holds the served models (retrieval, and optionally ranking) and swaps them for new checkpoints
/// without dropping requests: the new models are loaded completely before one atomic reference
/// swap, and a request keeps the models it started with. Old models are not disposed (requests may
/// still hold them); the garbage collector finalises them. Reloads are serialised.
/// </summary>
internal sealed class ModelHost
{
    private readonly Func<string, RetrievalEngine> loadRetrieval;
    private readonly Func<string, SequenceDataset, RankingEngine> loadRanker;
    private readonly SemaphoreSlim reloading = new(1, 1);
    private ServedModel current;

    public ModelHost(RetrievalEngine engine, RankingEngine? ranker, Func<string, RetrievalEngine> loadRetrieval, Func<string, SequenceDataset, RankingEngine>? loadRanker = null)
    {
        current = new ServedModel(engine, ranker, 1, DateTimeOffset.UtcNow);
        this.loadRetrieval = loadRetrieval;
        this.loadRanker = loadRanker ?? ((path, dataset) => RankingEngine.Load(path, dataset));
    }

    /// <summary>The models now served; a request reads this once and uses those throughout.</summary>
    public ServedModel Current => Volatile.Read(ref current);

    /// <summary>Loads the checkpoints (the current ones when null) and makes them the served models.</summary>
    public async Task<ServedModel> ReloadAsync(string? checkpoint, string? ranker, CancellationToken cancel)
    {
        await reloading.WaitAsync(cancel);
        try
        {
            var previous = Current;
            var served = await Task.Run(
                () =>
                {
                    var engine = loadRetrieval(checkpoint ?? previous.Engine.Source);
                    var rankerPath = ranker ?? previous.Ranker?.Source;
                    return new ServedModel(engine, rankerPath is null ? null : loadRanker(rankerPath, engine.Dataset), previous.Generation + 1, DateTimeOffset.UtcNow);
                },
                cancel);
            Volatile.Write(ref current, served);
            return served;
        }
        finally
        {
            reloading.Release();
        }
    }
}

/// <summary>The served models with their generation (1 for the first, +1 per reload) and load time.</summary>
internal sealed record ServedModel(RetrievalEngine Engine, RankingEngine? Ranker, int Generation, DateTimeOffset LoadedAt);
