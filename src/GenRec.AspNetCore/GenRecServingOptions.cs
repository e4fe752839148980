using GenRec.Configuration;
using Microsoft.Extensions.Logging;

namespace GenRec.AspNetCore;

/// <summary>
/// Everything a GenRec service is configured with, whether GenRec hosts it (<c>genrec serve</c>) or an application maps
/// its endpoints (<see cref="GenRecHostingExtensions.AddGenRec(Microsoft.Extensions.DependencyInjection.IServiceCollection, Action{GenRecServingOptions})"/>):
/// the models, the limits of the endpoints, reloads and batching. The settings under "GenRec's own server" apply only
/// where GenRec runs Kestrel itself; an application configures its own Kestrel, rate limiting and host filtering.
/// The defaults suit one loopback service.
/// </summary>
public sealed record GenRecServingOptions
{
    /// <summary>The retrieval checkpoint to serve (a training run's <c>best.ckpt</c>). Required.</summary>
    public string Checkpoint { get; set; } = "";

    /// <summary>An HSTU ranking checkpoint whose task probabilities <c>/rank</c> adds; none by default.</summary>
    public string? Ranker { get; set; }

    /// <summary><c>auto</c> (CUDA when present, else the CPU), <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    public string Device { get; set; } = "auto";

    /// <summary>Top-k index: <c>exact</c> or <c>hnsw</c>.</summary>
    public IndexKind Index { get; set; } = IndexKind.Exact;

    /// <summary>Known users whose query vectors are computed at load (the others on their first request).</summary>
    public int PrecomputeUsers { get; set; } = 50_000;

    /// <summary>Longest accepted history, in items (400 above; the model reads its last max_length of them).</summary>
    public int MaxHistory { get; set; } = 2_000;

    /// <summary>Largest <c>k</c> of <c>/recommend</c>.</summary>
    public int MaxK { get; set; } = 1_000;

    /// <summary>Most candidates of one <c>/rank</c> request, and most items retrieval hands to the ranker in a two-stage <c>/recommend</c>.</summary>
    public int MaxCandidates { get; set; } = 10_000;

    /// <summary>Two-stage <c>/recommend</c> by default (with a ranker): retrieval's top this many, then the ranker; null: one stage unless a request asks (<c>stages</c>).</summary>
    public int? TwoStageRetrieve { get; set; }

    /// <summary>Weights of the ranker's task probabilities in a two-stage answer's score (a request may set its own); null: weight 1 on every task.</summary>
    public IReadOnlyDictionary<string, float>? TaskWeights { get; set; }

    /// <summary>Largest task weight a request may give.</summary>
    public float MaxTaskWeight { get; set; } = 100;

    /// <summary>Time a two-stage <c>/recommend</c> may take before ranking is skipped (retrieval's order answers, and says so); null: no deadline unless a request gives one.</summary>
    public TimeSpan? RankDeadline { get; set; }

    /// <summary>A generative (TIGER) model: beams of a request that asks for none (at least its <c>k</c>).</summary>
    public int Beams { get; set; } = 20;

    /// <summary>A generative (TIGER) model: most beams a request may ask for (also bounds its <c>k</c> and a two-stage request's <c>retrieve</c>).</summary>
    public int MaxBeams { get; set; } = 256;

    /// <summary>Bearer token (at least 16 characters) that <c>/reload</c> requires; without one, <c>/reload</c> answers 403 (GenRec's own server on a loopback bind: it answers).</summary>
    public string? AdminToken { get; set; }

    /// <summary>The folder <c>/reload</c> may load checkpoints from (default: the folder above the checkpoint's).</summary>
    public string? ModelRoot { get; set; }

    /// <summary>Largest checkpoint file a reload reads.</summary>
    public long MaxModelBytes { get; set; } = 4L << 30;

    /// <summary>How long a reload may load and validate before it is answered 503 (the old model stays).</summary>
    public TimeSpan ReloadTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Where the served model is remembered across restarts (written atomically after each reload); null: not remembered.</summary>
    public string? StateFile { get; set; }

    /// <summary>Time limit of a request (503 after it); a replaced model is freed once requests that may hold it are over.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Dynamic batching of /recommend's forward passes: largest batch (1 turns batching off); null: 32 on CUDA; on the CPU 8 for a
    /// generative model's beam searches (measured faster) and off for a model served from an index (measured slower).
    /// </summary>
    public int? MaxBatch { get; set; }

    /// <summary>Dynamic batching: the longest a request waits for others to join its batch.</summary>
    public TimeSpan BatchWait { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Dynamic batching: batches computed at once (each on one libtorch thread).</summary>
    public int BatchWorkers { get; set; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>GenRec's own server: the address to bind, an IP address or <c>localhost</c> (loopback, IPv4 and IPv6).</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>GenRec's own server: the TCP port (0 picks a free one).</summary>
    public int Port { get; set; } = 8080;

    /// <summary>GenRec's own server: largest accepted request body, in bytes (413 above).</summary>
    public long MaxBodyBytes { get; set; } = 256 * 1024;

    /// <summary>GenRec's own server: Host header values accepted; null: the loopback names on a loopback bind, any otherwise.</summary>
    public IReadOnlyList<string>? AllowedHosts { get; set; }

    /// <summary>GenRec's own server: requests per second per client address on the model endpoints (token bucket; 429 above); 0: unlimited.</summary>
    public int RateLimitPerSecond { get; set; } = 5_000;

    /// <summary>GenRec's own server: open connections at most.</summary>
    public int MaxConnections { get; set; } = 1_024;

    /// <summary>GenRec's own server: X-Forwarded-For/-Proto are honoured from these proxy addresses (empty: none).</summary>
    public IReadOnlyList<string> KnownProxies { get; set; } = [];

    /// <summary>Sentence encoder that names items added online (<c>POST /catalog/items</c>) by their text: the one the trained items' vectors came from.</summary>
    public string CatalogEncoder { get; set; } = "minilm";

    /// <summary>The trained items' text vectors (.npy from <c>genrec text embed</c>, same encoder) for the content mapping; null: the model's text view, else embedded at the first add.</summary>
    public string? CatalogTextEmbeddings { get; set; }

    /// <summary>The content mapping that gives an added item its row: knn (the rows of the items nearest by text), ridge or mlp.</summary>
    public string CatalogMapping { get; set; } = "knn";

    /// <summary>Most items one catalogue request may name (413 above).</summary>
    public int MaxCatalogItems { get; set; } = 1_000;

    /// <summary>
    /// The share of each answer kept for items added to the catalogue after training (0, the default: none): up to
    /// floor(share x k) places at the end of a top k go to the best-scoring added items, as TIGER's cold-start rule does
    /// for unseen items. Dot-product models served from an index.
    /// </summary>
    public double NewItemShare { get; set; }

    /// <summary>
    /// Which added items take those places: <c>text</c> (the default), those nearest by text to the history's last item,
    /// the text floor's order (a new item has no interactions yet, only its text; on Beauty's cold-item test it finds
    /// more cold targets than the model's order at the same cost to the others), or <c>model</c>, those the model scores
    /// best through their mapped rows. Text needs the trained items' text vectors (<see cref="CatalogTextEmbeddings"/>,
    /// else embedded at load with <see cref="CatalogEncoder"/>).
    /// </summary>
    public string NewItemOrder { get; set; } = "text";

    /// <summary>GenRec's own server: how long shutdown waits for requests in flight.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>GenRec's own server: console log level (one line per event; every error response is logged).</summary>
    public LogLevel LogLevel { get; set; } = LogLevel.Information;

    /// <summary>Whether <see cref="Host"/> is a loopback address.</summary>
    internal bool IsLoopback => Host == "localhost" || (System.Net.IPAddress.TryParse(Host, out var ip) && System.Net.IPAddress.IsLoopback(ip));

    /// <summary>The batch size in force on <paramref name="device"/>.</summary>
    internal int BatchSizeOn(TorchSharp.torch.Device device, bool generative = false) =>
        MaxBatch ?? (device.type == TorchSharp.DeviceType.CUDA ? 32 : generative ? 8 : 1);
}
