using GenRec.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GenRec.AspNetCore;

/// <summary>
/// GenRec's recommendation endpoints in an ASP.NET Core application of your own, the same ones <c>genrec serve</c> runs:
/// <c>POST /recommend</c>, <c>POST /rank</c>, <c>GET /health</c>, <c>GET /ready</c> and <c>POST /reload</c>, with JSON
/// errors naming the request field. Middleware (authentication, rate limiting, timeouts) stays the application's.
/// </summary>
/// <example>
/// <code>
/// builder.Services.AddGenRec(o => o.Checkpoint = "runs/quickstart/best.ckpt");
/// var app = builder.Build();
/// app.MapGenRec("/recs");   // POST /recs/recommend {"user": "42", "k": 10}
/// </code>
/// </example>
public static class GenRecHostingExtensions
{
    /// <summary>Registers the model to serve; it is loaded (and validated) when the endpoints are mapped.</summary>
    public static IServiceCollection AddGenRec(this IServiceCollection services, Action<GenRecServingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(configure);
        services.AddSingleton(provider => Create(provider.GetRequiredService<IOptions<GenRecServingOptions>>().Value, provider));
        return services;
    }

    /// <summary>Maps the endpoints under <paramref name="prefix"/> and loads the model registered by <see cref="AddGenRec"/>.</summary>
    /// <returns>The endpoints' group, for the application's own conventions (authorization, rate limiting).</returns>
    /// <exception cref="InvalidOperationException"><see cref="AddGenRec"/> was not called.</exception>
    public static RouteGroupBuilder MapGenRec(this IEndpointRouteBuilder endpoints, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var served = endpoints.ServiceProvider.GetService<ServiceEndpoints>()
            ?? throw new InvalidOperationException("call services.AddGenRec(...) before app.MapGenRec()");
        var group = endpoints.MapGroup(prefix);
        group.AddEndpointFilter(async (context, next) =>
        {
            // The service's outer guard, for this group only: unexpected errors as a JSON 500 with the request id, and health.
            var http = context.HttpContext;
            http.Response.Headers["X-Request-Id"] = http.TraceIdentifier;
            try
            {
                var result = await next(context);
                served.Health.Record(result is IStatusCodeHttpResult { StatusCode: >= 500 });
                return result;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                served.Health.Record(true);
                served.Log.LogError("request {RequestId} {Method} {Path} failed: {Error}", http.TraceIdentifier, http.Request.Method, http.Request.Path.Value, e.Message);
                return Results.Json(new ErrorResponse("internal error: the request id names the logged cause", http.TraceIdentifier), RecommendationService.Json, statusCode: 500);
            }
        });
        RecommendationService.MapEndpoints(group, served);
        return group;
    }

    private static ServiceEndpoints Create(GenRecServingOptions options, IServiceProvider provider)
    {
        var log = provider.GetRequiredService<ILoggerFactory>().CreateLogger("GenRec.Serve");
        if (Compute.CpuFastPath.Warning() is { } slow)
        {
            log.LogWarning("{Warning}", slow);                                            // e.g. glibc's allocator: call JemallocRelaunch first in Main
        }

        ModelHost host;
        try
        {
            host = ServedModels.Start(options, (level, message) => log.Log(level, "{Message}", message));
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException)
        {
            throw new InvalidOperationException($"{nameof(GenRecServingOptions)}: {e.Message}", e);
        }

        var metrics = new ServiceMetrics();
        ServedModels.Wire(host, options, metrics, log);
        var lifetime = provider.GetRequiredService<IHostApplicationLifetime>();
        NativeMemoryRelease.UntilStopped(lifetime); // as `genrec serve` does
        return new ServiceEndpoints(host, options, metrics, new HealthTracker(), new AdminGuard(options.AdminToken, loopbackOnly: false), log, lifetime);
    }
}
