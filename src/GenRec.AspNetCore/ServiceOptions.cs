using Microsoft.Extensions.Logging;

namespace GenRec.Hosting;

/// <summary>What the service accepts, whom it trusts, and how it batches; the defaults suit one loopback service.</summary>
internal sealed record ServiceOptions
{
    /// <summary>Address to bind: an IP address, or <c>localhost</c> (loopback, IPv4 and IPv6).</summary>
    public string Host { get; init; } = "127.0.0.1";

    public int Port { get; init; } = 8080;

    /// <summary>Largest accepted request body, in bytes (413 above).</summary>
    public long MaxBodyBytes { get; init; } = 256 * 1024;

    /// <summary>Longest accepted history, in items (the model reads its last max_length of them).</summary>
    public int MaxHistory { get; init; } = 2_000;

    public int MaxK { get; init; } = 1_000;

    public int MaxCandidates { get; init; } = 10_000;

    /// <summary>Bearer token for the admin endpoints (<c>/reload</c>); without one they answer only on a loopback bind.</summary>
    public string? AdminToken { get; init; }

    /// <summary>Folder that reload paths must lie in (after resolving symbolic links); null: no reloads from files.</summary>
    public string? ModelRoot { get; init; }

    /// <summary>Largest checkpoint file a reload reads.</summary>
    public long MaxModelBytes { get; init; } = 4L << 30;

    /// <summary>How long a reload may load and validate before it is answered 503 (the old model stays).</summary>
    public TimeSpan ReloadTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Where the served model is remembered across restarts (written atomically after each reload); null: not remembered.</summary>
    public string? StateFile { get; init; }

    /// <summary>Host header values accepted (ASP.NET Core host filtering); null: the loopback names on a loopback bind, any otherwise.</summary>
    public IReadOnlyList<string>? AllowedHosts { get; init; }

    /// <summary>Requests per second per client address on the model endpoints (token bucket; 429 above); 0: unlimited.</summary>
    public int RateLimitPerSecond { get; init; } = 5_000;

    /// <summary>Open connections at most (Kestrel).</summary>
    public int MaxConnections { get; init; } = 1_024;

    /// <summary>Time limit of a request (503 after it).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Honour X-Forwarded-For/-Proto from these proxy addresses (empty: none; the service is reached directly).</summary>
    public IReadOnlyList<string> KnownProxies { get; init; } = [];

    /// <summary>How long shutdown waits for requests in flight.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Dynamic batching of /recommend's forward passes: largest batch (1, the default, turns batching off; genrec serve uses 32 on CUDA).</summary>
    public int MaxBatch { get; init; } = 1;

    /// <summary>Dynamic batching: the longest a request waits for others to join its batch.</summary>
    public TimeSpan BatchWait { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Dynamic batching: batches computed at once (serve runs one libtorch thread per batch).</summary>
    public int BatchWorkers { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Console log level (one line per event; every error response is logged).</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>Whether <see cref="Host"/> is a loopback address.</summary>
    public bool IsLoopback => Host == "localhost" || (System.Net.IPAddress.TryParse(Host, out var ip) && System.Net.IPAddress.IsLoopback(ip));
}
