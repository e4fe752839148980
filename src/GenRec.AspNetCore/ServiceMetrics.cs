using Prometheus;

namespace GenRec.AspNetCore;

/// <summary>
/// The service's Prometheus metrics through prometheus-net (its own registry per service, so several
/// services in one process do not mix): requests by endpoint and the status actually sent, latency per
/// endpoint, dynamic-batching batch sizes and queue waits, reloads by outcome and the model generation;
/// with them prometheus-net's process and .NET runtime metrics (CPU, resident memory, GC, thread pool).
/// ASP.NET Core's and Kestrel's own meters are not exported: prometheus-net's meter adapter connected their instruments
/// on a service registry but exported no series (checked after a scrape and requests), so it is not wired; read them
/// with <c>dotnet-counters</c> (docs/serving.md).
/// </summary>
internal sealed class ServiceMetrics
{
    /// <summary>Upper bounds of the latency buckets, in seconds (+Inf is implied).</summary>
    public static readonly double[] BucketBounds = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];

    private readonly Counter requests;
    private readonly Histogram latency;
    private readonly Histogram batchSize;
    private readonly Histogram batchWait;
    private readonly Counter reloads;
    private readonly Histogram stageLatency;
    private readonly Histogram rankedCandidates;
    private readonly Counter fallbacks;
    private readonly Gauge generation;

    public ServiceMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        DotNetStats.Register(Registry);
        var factory = Metrics.WithCustomRegistry(Registry);
        requests = factory.CreateCounter("genrec_requests_total", "HTTP requests by endpoint and the status sent.", ["endpoint", "status"]);
        latency = factory.CreateHistogram("genrec_request_seconds", "Request latency by endpoint.", ["endpoint"], new HistogramConfiguration { Buckets = BucketBounds });
        batchSize = factory.CreateHistogram("genrec_batch_size", "Requests per batched user-state forward pass.", new HistogramConfiguration { Buckets = [1, 2, 4, 8, 16, 32, 64, 128] });
        batchWait = factory.CreateHistogram("genrec_batch_wait_seconds", "Longest queue wait of a request in each batch.", new HistogramConfiguration { Buckets = [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05] });
        reloads = factory.CreateCounter("genrec_reloads_total", "Model reloads by outcome (ok, refused, failed, timeout, busy; abandoned_timeout and abandoned_cancelled: loads left running after their caller stopped waiting, whose models are disposed, never served).", ["outcome"]);
        stageLatency = factory.CreateHistogram("genrec_stage_seconds", "Time of each stage of a two-stage /recommend (retrieve, rank).", ["stage"], new HistogramConfiguration { Buckets = BucketBounds });
        rankedCandidates = factory.CreateHistogram("genrec_ranked_candidates", "Candidates the ranker scored per two-stage /recommend.", new HistogramConfiguration { Buckets = [10, 50, 100, 200, 500, 1000, 5000] });
        fallbacks = factory.CreateCounter("genrec_rank_fallbacks_total", "Two-stage /recommend answers in retrieval's order because ranking would pass the deadline.", ["reason"]);
        generation = factory.CreateGauge("genrec_model_generation", "Generation of the served model (1 at start, +1 per reload).");
        generation.Set(1);
    }

    public CollectorRegistry Registry { get; }

    public void Record(string endpoint, int status, TimeSpan elapsed)
    {
        requests.WithLabels(endpoint, status.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();
        latency.WithLabels(endpoint).Observe(elapsed.TotalSeconds);
    }

    public void Batch(int size, TimeSpan waited)
    {
        batchSize.Observe(size);
        batchWait.Observe(waited.TotalSeconds);
    }

    public void Stage(string stage, TimeSpan elapsed) => stageLatency.WithLabels(stage).Observe(elapsed.TotalSeconds);

    public void Ranked(int candidates) => rankedCandidates.Observe(candidates);

    public void Fallback(string reason) => fallbacks.WithLabels(reason).Inc();

    public double Fallbacks(string reason) => fallbacks.WithLabels(reason).Value;

    public void Reload(string outcome, int servedGeneration)
    {
        reloads.WithLabels(outcome).Inc();
        generation.Set(servedGeneration);
    }

    public double Count(string endpoint, int status) => requests.WithLabels(endpoint, status.ToString(System.Globalization.CultureInfo.InvariantCulture)).Value;

}
