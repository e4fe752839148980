using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using GenRec.Serving;
using GenRec.Util;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace GenRec.AspNetCore;

/// <summary>
/// The HTTP service (ASP.NET Core minimal API on Kestrel): <c>POST /recommend</c>, <c>POST /rank</c>,
/// <c>GET /health</c> (liveness), <c>GET /ready</c> (readiness), <c>GET /metrics</c> (Prometheus) and
/// <c>POST /reload</c> (admin: validated hot swap). JSON in snake_case with strict contracts; every
/// error, expected or not, is a JSON body <c>{"error", "request_id"}</c> with its status, logged on one
/// line and counted in the metrics under the status sent. ASP.NET Core's own middleware does host
/// filtering, rate limiting, request timeouts and forwarded headers; Kestrel caps connections and sizes.
/// </summary>
internal static class RecommendationService
{
    /// <summary>Longest request target (path and query) answered normally; 414 above.</summary>
    public const int MaxUrlBytes = 8 * 1024;

    /// <summary>Largest total of request headers answered normally; 431 above.</summary>
    public const int MaxHeaderBytes = 32 * 1024;

    private static readonly string[] Endpoints = ["/recommend", "/rank", "/health", "/ready", "/metrics", "/reload", "/catalog/items", "/catalog/withdraw", "/catalog/restore"];

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        PropertyNameCaseInsensitive = false,
        NumberHandling = JsonNumberHandling.Strict,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static WebApplication Build(ModelHost host, GenRecServingOptions options)
    {
        var address = BindAddress(options.Host);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });
        builder.Logging.SetMinimumLevel(options.LogLevel);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = options.MaxBodyBytes;
            k.Limits.MaxConcurrentConnections = options.MaxConnections;
            k.Limits.MaxRequestLineSize = 8 * MaxUrlBytes;      // beyond our own 414/431 with a JSON body, Kestrel's bare answer
            k.Limits.MaxRequestHeadersTotalSize = 2 * MaxHeaderBytes;
            k.Listen(address, options.Port);
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout);
        // The web defaults put host filtering first of all (a startup filter), before our error middleware could give its
        // 400 a JSON body; it is placed in the pipeline below instead.
        foreach (var filter in builder.Services.Where(d => d.ServiceType == typeof(IStartupFilter) && d.ImplementationType?.Name == "HostFilteringStartupFilter").ToArray())
        {
            builder.Services.Remove(filter);
        }

        builder.Services.AddHostFiltering(o =>
        {
            o.AllowedHosts = [.. options.AllowedHosts ?? (options.IsLoopback ? ["localhost", "127.0.0.1", "[::1]"] : ["*"])];
            o.IncludeFailureMessage = false;
        });
        builder.Services.AddRequestTimeouts(o => o.DefaultPolicy = new RequestTimeoutPolicy { Timeout = options.RequestTimeout, TimeoutStatusCode = 503 });
        builder.Services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                options.RateLimitPerSecond > 0 && context.Request.Path.Value is "/recommend" or "/rank" or "/reload" or "/catalog/items" or "/catalog/withdraw" or "/catalog/restore"
                    ? RateLimitPartition.GetTokenBucketLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = options.RateLimitPerSecond,
                        TokensPerPeriod = options.RateLimitPerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    })
                    : RateLimitPartition.GetNoLimiter("unlimited"));
            o.RejectionStatusCode = 429;
            o.OnRejected = (context, cancel) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "1";
                return new ValueTask(WriteError(context.HttpContext, 429, $"more than {options.RateLimitPerSecond} requests per second from this address"));
            };
        });

        var app = builder.Build();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("GenRec.Serve");
        var metrics = new ServiceMetrics();
        var health = new HealthTracker();
        var admin = new AdminGuard(options.AdminToken, options.IsLoopback);
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        NativeMemoryRelease.UntilStopped(lifetime);

        ServedModels.Wire(host, options, metrics, log);

        // First of all, one path per endpoint: /Recommend, /RECOMMEND and /recommend/ are /recommend for routing, the rate
        // limiter, the health window and the metrics' endpoint label alike (routing alone matched them, the rest did not).
        app.Use((context, next) =>
        {
            if (CanonicalPath(context.Request.Path.Value) is { } canonical)
            {
                context.Request.Path = canonical;
            }

            return next(context);
        });

        // Outermost: request id, unexpected exceptions as JSON 500, then the status actually sent is counted and errors logged.
        app.Use(async (context, next) =>
        {
            var watch = Stopwatch.StartNew();
            context.Response.Headers["X-Request-Id"] = context.TraceIdentifier;
            try
            {
                await next(context);
                var response = context.Response;
                if (response.StatusCode >= 400 && !response.HasStarted && response.ContentLength is null && string.IsNullOrEmpty(response.ContentType))
                {
                    // Statuses set without a body (404, 405, host filtering's 400, timeouts) get the JSON error too.
                    await WriteError(context, response.StatusCode, StatusText(context));
                }
            }
            catch (Exception e) when (!context.Response.HasStarted)
            {
                var (status, message) = e is OperationCanceledException && lifetime.ApplicationStopping.IsCancellationRequested ? (503, "the service is shutting down")
                    : context.RequestAborted.IsCancellationRequested ? (499, "request aborted")
                    : (500, "internal error: the request id names the logged cause");
                if (status == 500)
                {
                    log.LogError("request {RequestId} {Method} {Path} failed: {Error}", context.TraceIdentifier, context.Request.Method, QuotedText.Clip(context.Request.Path.Value ?? ""), OneLine(e));
                }

                context.Response.Clear();
                await WriteError(context, status, message);
            }
            finally
            {
                var status = context.Response.StatusCode;
                var endpoint = Array.IndexOf(Endpoints, context.Request.Path.Value) >= 0 ? context.Request.Path.Value! : "other";
                metrics.Record(endpoint, status, watch.Elapsed);
                if (endpoint is "/recommend" or "/rank")
                {
                    health.Record(status >= 500);
                }

                if (status >= 400 && status != 500)
                {
                    log.Log(status >= 500 ? LogLevel.Error : LogLevel.Information, "request {RequestId} {Method} {Path} -> {Status}", context.TraceIdentifier, context.Request.Method, QuotedText.Clip(context.Request.Path.Value ?? ""), status);
                }
            }
        });

        // 414 and 431 with a JSON body (Kestrel's own limits, set higher, answer without one).
        app.Use((context, next) =>
        {
            var target = context.Request.Path.Value?.Length + context.Request.QueryString.Value?.Length ?? 0;
            if (target > MaxUrlBytes)
            {
                return WriteError(context, 414, $"request target of {target:N0} bytes, at most {MaxUrlBytes:N0} accepted");
            }

            var headers = context.Request.Headers.Sum(h => h.Key.Length + h.Value.Sum(v => v?.Length ?? 0) + 4);
            return headers > MaxHeaderBytes ? WriteError(context, 431, $"request headers of {headers:N0} bytes, at most {MaxHeaderBytes:N0} accepted") : next(context);
        });

        if (options.KnownProxies.Count > 0)
        {
            var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in options.KnownProxies)
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            app.UseForwardedHeaders(forwarded);
        }

        app.UseHostFiltering();
        app.UseRouting();
        app.UseRateLimiter();
        app.UseRequestTimeouts();

        MapEndpoints(app, new ServiceEndpoints(host, options, metrics, health, admin, log, lifetime));
        app.MapMetrics("/metrics", metrics.Registry);
        return app;
    }

    /// <summary>
    /// Maps <c>/recommend</c>, <c>/rank</c>, <c>/health</c>, <c>/ready</c>, <c>/reload</c> and the catalogue's admin endpoints on <paramref name="routes"/>
    /// (the service's own app, or a group in a host application through <see cref="GenRecHostingExtensions.MapGenRec"/>).
    /// </summary>
    internal static void MapEndpoints(IEndpointRouteBuilder routes, ServiceEndpoints endpoints)
    {
        var (host, options, metrics, health, admin, log, lifetime) = endpoints;
        routes.MapGet("/health", () =>
        {
            var (engine, ranker, generation, loadedAt) = host.Current;
            var (recent, failed) = health.Recent();
            return Results.Json(
                new { status = health.Degraded ? "degraded" : "ok", model = engine.Source, ranker = ranker?.Source, tasks = ranker?.Tasks, dataset = engine.Dataset.Name, items = engine.Dataset.NumItems, index = engine.IndexName, model_generation = generation, loaded_at = loadedAt, recent_requests = recent, recent_failures = failed },
                Json);
        });
        routes.MapGet("/ready", () =>
        {
            var reason = lifetime.ApplicationStopping.IsCancellationRequested ? "shutting down" : health.Degraded ? "degraded: recent requests failed" : null;
            return Results.Json(new { ready = reason is null, reason }, Json, statusCode: reason is null ? 200 : 503);
        });
        var recommender = new TwoStageRecommender(options, metrics);
        routes.MapPost("/recommend", (Func<HttpContext, Task<IResult>>)(context => Handle<RecommendRequest>(context, async request =>
        {
            var (engine, ranker, generation, _) = host.Current;
            var history = RequestValidator.History(engine, request.User, request.History, options, coldStart: engine.UsesUserFeatures && request.UserFeatures is { Count: > 0 });
            var k = request.K ?? 10;
            if (k < 1 || k > options.MaxK)
            {
                throw new RequestException(400, $"field 'k': {k} is out of range 1..{options.MaxK}");
            }

            var (user, features) = RequestValidator.UserAndFeatures(engine, request.User, request.UserFeatures);
            return await recommender.RecommendAsync(engine, ranker, generation, request, history, user, features, k);
        })));
        routes.MapPost("/rank", (Func<HttpContext, Task<IResult>>)(context => Handle<RankRequest>(context, request =>
        {
            var (engine, ranker, generation, _) = host.Current;
            // The ranking model reads a history of at least one item; without one, retrieval scores alone would answer.
            var history = RequestValidator.History(engine, request.User, request.History, options, coldStart: ranker is null && engine.UsesUserFeatures && request.UserFeatures is { Count: > 0 });
            var candidates = RequestValidator.Items(engine, request.Candidates, "candidates", options.MaxCandidates);
            var (user, features) = RequestValidator.UserAndFeatures(engine, request.User, request.UserFeatures);
            var scores = engine.Rank(history, candidates, user, features);
            float[]? probabilities = null;
            if (ranker is not null)
            {
                var (ratings, timestamps) = RequestValidator.RankingSignals(engine, ranker, request.User, request.Ratings, request.Timestamps, history.Length);
                probabilities = ranker.Score(history, ratings, timestamps, candidates);
            }

            var ranked = candidates.Select((c, i) => new ScoredItemDto(
                engine.Dataset.ItemKeys[c],
                engine.Dataset.ItemLabel(c),
                scores[i],
                probabilities is null ? null : ranker!.Tasks.Select((t, j) => (t, p: probabilities[(i * ranker.Tasks.Length) + j])).ToDictionary(x => x.t, x => x.p))).ToArray();
            return Task.FromResult<object>(new RankResponse(ranked, history.Length, generation));
        })));
        routes.MapPost("/reload", (Func<HttpContext, Task<IResult>>)(async context =>
        {
            if (Refused(context, admin) is { } refusal)
            {
                return refusal;
            }

            var hasBody = context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0;
            if (hasBody && !context.Request.HasJsonContentType())
            {
                return Error(context, 415, $"a reload body must be JSON (Content-Type: application/json), not '{QuotedText.Clip(context.Request.ContentType ?? "none")}'");
            }

            try
            {
                var request = hasBody ? await ReadBody<ReloadRequest>(context) : new ReloadRequest();
                var served = await host.ReloadAsync(request, context.RequestAborted);
                return Results.Json(new { model = served.Engine.Source, ranker = served.Ranker?.Source, model_generation = served.Generation, items = served.Engine.Dataset.NumItems, dataset = served.Engine.Dataset.Name }, Json);
            }
            catch (RequestException e)
            {
                metrics.Reload(e.StatusCode switch { 409 => "busy", 503 => "timeout", 422 => "failed", _ => "refused" }, host.Current.Generation);
                log.LogWarning("reload refused ({Status}): {Reason}", e.StatusCode, e.Message);
                return Error(context, e.StatusCode, e.Message);
            }
        })).WithRequestTimeout(host.Timeout + TimeSpan.FromSeconds(10)); // a reload has its own, longer, time limit
        var editor = new CatalogEditor(host, options, log);
        lifetime.ApplicationStopped.Register(editor.Dispose);
        MapCatalogEndpoints(routes, endpoints, editor);
    }

    /// <summary>
    /// The admin endpoints that change the served catalogue (<see cref="CatalogEditor"/>): <c>POST /catalog/items</c> adds
    /// items named by their text, <c>/catalog/withdraw</c> and <c>/catalog/restore</c> take items out of recommendation
    /// and back; each answers once the change is served. Same bearer token as <c>/reload</c>.
    /// </summary>
    private static void MapCatalogEndpoints(IEndpointRouteBuilder routes, ServiceEndpoints endpoints, CatalogEditor editor)
    {
        var timeout = endpoints.Host.Timeout + TimeSpan.FromSeconds(10);
        Task<IResult> Admin<TRequest>(HttpContext context, Func<TRequest, Task<object>> handle)
            where TRequest : class =>
            Refused(context, endpoints.Admin) is { } refusal ? Task.FromResult(refusal) : Handle(context, handle);
        routes.MapPost("/catalog/items", (Func<HttpContext, Task<IResult>>)(context => Admin<CatalogAddRequest>(context, request => editor.AddAsync(request, context.RequestAborted)))).WithRequestTimeout(timeout);
        routes.MapPost("/catalog/withdraw", (Func<HttpContext, Task<IResult>>)(context => Admin<CatalogIdsRequest>(context, request => editor.WithdrawAsync(request, withdraw: true, context.RequestAborted)))).WithRequestTimeout(timeout);
        routes.MapPost("/catalog/restore", (Func<HttpContext, Task<IResult>>)(context => Admin<CatalogIdsRequest>(context, request => editor.WithdrawAsync(request, withdraw: false, context.RequestAborted)))).WithRequestTimeout(timeout);
    }

    // The admin guard's refusal as its error (401 with the Bearer challenge), or null when the request may go on.
    private static IResult? Refused(HttpContext context, AdminGuard admin)
    {
        if (admin.Check(context.Request) is not { } refused)
        {
            return null;
        }

        if (refused.StatusCode == 401)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }

        return Error(context, refused.StatusCode, refused.Message);
    }

    /// <summary>The endpoint a path names in another case or with a trailing slash (null: already canonical, or no endpoint).</summary>
    internal static string? CanonicalPath(string? path)
    {
        if (path is null || path.Length < 2)
        {
            return null;
        }

        var canonical = path.TrimEnd('/').ToLowerInvariant();
        return canonical != path && Array.IndexOf(Endpoints, canonical) >= 0 ? canonical : null;
    }

    /// <summary>The address Kestrel listens on (useful with port 0).</summary>
    public static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    /// <summary>The IP address for <c>--host</c>: an IP literal, or <c>localhost</c> (IPv4 loopback).</summary>
    public static IPAddress BindAddress(string host) =>
        host == "localhost" ? IPAddress.Loopback
        : IPAddress.TryParse(host, out var ip) ? ip
        : throw new ArgumentException($"--host '{QuotedText.Clip(host)}' is not an IP address (use 127.0.0.1, ::1, localhost, or 0.0.0.0 / :: for every interface)");

    private static async Task<IResult> Handle<TRequest>(HttpContext context, Func<TRequest, Task<object>> handle)
        where TRequest : class
    {
        try
        {
            return Results.Json(await handle(await ReadBody<TRequest>(context)), Json);
        }
        catch (RequestException e)
        {
            return Error(context, e.StatusCode, e.Message);
        }
    }

    /// <summary>The request body as <typeparamref name="TRequest"/>, or a 4xx naming what is wrong (field, type, size, content type).</summary>
    private static async Task<TRequest> ReadBody<TRequest>(HttpContext context)
        where TRequest : class
    {
        try
        {
            return await context.Request.ReadFromJsonAsync<TRequest>(Json, context.RequestAborted) ?? throw new RequestException(400, "empty request body");
        }
        catch (JsonException e)
        {
            throw new RequestException(400, JsonProblem.Describe(e, typeof(TRequest)));
        }
        catch (BadHttpRequestException e)
        {
            throw new RequestException(e.StatusCode, e.Message);
        }
        catch (InvalidOperationException e)
        {
            throw new RequestException(415, e.Message);
        }
    }

    private static IResult Error(HttpContext context, int status, string message) =>
        Results.Json(new ErrorResponse(message, context.TraceIdentifier), Json, statusCode: status);

    private static Task WriteError(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new ErrorResponse(message, context.TraceIdentifier), Json);
    }

    private static string StatusText(HttpContext context) => context.Response.StatusCode switch
    {
        400 => "bad request (for example a Host header this service does not answer to)",
        404 => $"no endpoint at '{QuotedText.Clip(context.Request.Path.Value ?? "")}' (POST /recommend, /rank, /reload, /catalog/items, /catalog/withdraw, /catalog/restore; GET /health, /ready, /metrics)",
        405 => $"{context.Request.Method} is not allowed on '{QuotedText.Clip(context.Request.Path.Value ?? "")}'",
        503 => "the request took too long",
        var status => $"HTTP {status}",
    };

    private static string OneLine(Exception e) => e.ToString().ReplaceLineEndings(" | ");
}
