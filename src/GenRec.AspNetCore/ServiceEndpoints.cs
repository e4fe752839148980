using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GenRec.AspNetCore;

/// <summary>What the endpoints share: the served models, limits, metrics, health, admin guard, log and lifetime.</summary>
internal sealed record ServiceEndpoints(
    ModelHost Host,
    GenRecServingOptions Options,
    ServiceMetrics Metrics,
    HealthTracker Health,
    AdminGuard Admin,
    ILogger Log,
    IHostApplicationLifetime Lifetime);
