using System.Diagnostics;
using System.Text.Json;
using GenRec.Data;
using GenRec.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GenRec.Cli.Serving;

/// <summary>
/// The HTTP service (ASP.NET Core minimal API on Kestrel):
/// <c>POST /recommend</c>, <c>POST /rank</c>, <c>GET /health</c>, <c>GET /metrics</c> and
/// <c>POST /reload</c> (hot swap to a new checkpoint). JSON in snake_case; every rejected request gets
/// a 4xx with <c>{"error": "..."}</c> saying what was wrong.
/// </summary>
internal static class RecommendationService
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static WebApplication Build(ModelHost host, ServiceOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = options.MaxBodyBytes;
            k.Listen(System.Net.IPAddress.Parse(options.Host), options.Port);
        });
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        var app = builder.Build();
        var metrics = new ServiceMetrics();
        app.Use(async (context, next) =>
        {
            var watch = Stopwatch.StartNew();
            try
            {
                await next(context);
            }
            finally
            {
                var endpoint = context.Request.Path.Value is "/recommend" or "/rank" or "/health" or "/metrics" or "/reload" ? context.Request.Path.Value : "other";
                metrics.Record(endpoint, context.Response.StatusCode, watch.Elapsed);
            }
        });

        app.MapGet("/health", () =>
        {
            var (engine, ranker, generation, loadedAt) = host.Current;
            return Results.Json(
                new { status = "ok", model = engine.Source, ranker = ranker?.Source, tasks = ranker?.Tasks, dataset = engine.Dataset.Name, items = engine.Dataset.NumItems, index = engine.IndexName, model_generation = generation, loaded_at = loadedAt },
                Json);
        });
        app.MapGet("/metrics", () => Results.Text(metrics.ToPrometheus(), "text/plain; version=0.0.4"));
        app.MapPost("/recommend", (Func<HttpContext, Task<IResult>>)(context => Handle<RecommendRequest>(context, request =>
        {
            var (engine, _, generation, _) = host.Current;
            var history = RequestValidator.History(engine, request.User, request.History, options);
            var k = request.K ?? 10;
            if (k < 1 || k > options.MaxK)
            {
                throw new RequestException(400, $"field 'k': {k} is out of range 1..{options.MaxK}");
            }

            var items = engine.Recommend(history, k, request.FilterHistory ?? true)
                .Select(r => new ScoredItemDto(r.Key, r.Label, r.Score)).ToArray();
            return new RecommendResponse(items, history.Length, generation);
        })));
        app.MapPost("/rank", (Func<HttpContext, Task<IResult>>)(context => Handle<RankRequest>(context, request =>
        {
            var (engine, ranker, generation, _) = host.Current;
            var history = RequestValidator.History(engine, request.User, request.History, options);
            var candidates = RequestValidator.Items(engine, request.Candidates, "candidates", options.MaxCandidates);
            var scores = engine.Rank(history, candidates);
            float[]? probabilities = null;
            if (ranker is not null)
            {
                var (ratings, timestamps) = RequestValidator.RankingSignals(engine, ranker, request, history.Length);
                probabilities = ranker.Score(history, ratings, timestamps, candidates);
            }

            var ranked = candidates.Select((c, i) => new ScoredItemDto(
                engine.Dataset.ItemKeys[c],
                engine.Dataset.ItemLabel(c),
                scores[i],
                probabilities is null ? null : ranker!.Tasks.Select((t, j) => (t, p: probabilities[(i * ranker.Tasks.Length) + j])).ToDictionary(x => x.t, x => x.p))).ToArray();
            return new RankResponse(ranked, history.Length, generation);
        })));
        app.MapPost("/reload", async (HttpContext context) =>
        {
            try
            {
                // No body (or an empty one) reloads the current checkpoint.
                var request = context.Request.HasJsonContentType() && context.Request.ContentLength != 0
                    ? await context.Request.ReadFromJsonAsync<ReloadRequest>(Json, context.RequestAborted)
                    : null;
                var served = await host.ReloadAsync(request?.Checkpoint, request?.Ranker, context.RequestAborted);
                return Results.Json(new { model = served.Engine.Source, ranker = served.Ranker?.Source, model_generation = served.Generation, items = served.Engine.Dataset.NumItems }, Json);
            }
            catch (JsonException e)
            {
                return Error(400, $"malformed JSON: {e.Message}");
            }
            catch (Exception e) when (e is FileNotFoundException or InvalidDataException or ArgumentException or KeyNotFoundException or DataFormatException)
            {
                return Results.Json(new ErrorResponse($"reload failed, still serving the previous model: {e.Message}"), Json, statusCode: 400);
            }
        });
        return app;
    }

    /// <summary>The address Kestrel listens on (useful with port 0).</summary>
    public static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    private static async Task<IResult> Handle<TRequest>(HttpContext context, Func<TRequest, object> handle)
        where TRequest : class
    {
        TRequest? request;
        try
        {
            request = await context.Request.ReadFromJsonAsync<TRequest>(Json, context.RequestAborted);
        }
        catch (JsonException e)
        {
            return Error(400, $"malformed JSON: {e.Message}");
        }
        catch (BadHttpRequestException e)
        {
            return Error(e.StatusCode, e.Message);
        }
        catch (InvalidOperationException e)
        {
            return Error(415, e.Message);
        }

        if (request is null)
        {
            return Error(400, "empty request body");
        }

        try
        {
            return Results.Json(handle(request), Json);
        }
        catch (RequestException e)
        {
            return Error(e.StatusCode, e.Message);
        }
    }

    private static IResult Error(int status, string message) => Results.Json(new ErrorResponse(message), Json, statusCode: status);
}
