using GenRec.Configuration;
using GenRec.Scoring;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GenRec.AspNetCore;
using GenRec.Data.Splits;
using GenRec.Models;
using GenRec.Serving;
using GenRec.Tests.Training;
using GenRec.Training;

namespace GenRec.Tests.Serving;

/// <summary>The HTTP contract of <c>genrec serve</c>, against a real Kestrel on a free loopback port.</summary>
public sealed class ServiceTests : IAsyncLifetime
{
    private readonly GenRec.Data.SequenceDataset data = TrainingTests.CycleDataset(users: 40, items: 30, seed: 11);
    private RunningService? service;
    private HttpClient client = new();
    private ModelHost? host;

    private static SequentialRecommender Model(int seed)
    {
        TorchSharp.torch.manual_seed(seed);
        var config = TrainingTests.SmallRun(1).Model;
        var model = new SequentialRecommender(config, 30);
        model.eval();
        return model;
    }

    public async Task InitializeAsync()
    {
        var engine = new RetrievalEngine(Model(1), data, IndexKind.Exact, "first");
        host = new ModelHost(engine, null, path => path == "missing" ? throw new FileNotFoundException($"checkpoint not found: {path}") : new RetrievalEngine(Model(path == "second" ? 2 : 1), data, IndexKind.Exact, path));
        service = await RunningService.Start(host, new GenRecServingOptions { MaxBodyBytes = 4_096, MaxHistory = 50, MaxK = 20 });
        client = service.Client;
    }

    public async Task DisposeAsync()
    {
        if (service is not null)
        {
            await service.DisposeAsync();
        }
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> Post(string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body, RecommendationService.Json);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task HealthNamesTheModel()
    {
        var health = await client.GetFromJsonAsync<JsonElement>("/health");
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal("first", health.GetProperty("model").GetString());
        Assert.Equal(30, health.GetProperty("items").GetInt32());
    }

    [Fact]
    public async Task RecommendEqualsOfflineFullScoringWithoutHistoryItems()
    {
        var history = new[] { 3, 4, 5 };
        var (status, body) = await Post("/recommend", new { history = history.Select(i => data.ItemKeys[i]).ToArray(), k = 5 });
        Assert.Equal(HttpStatusCode.OK, status);
        var served = body.GetProperty("items").EnumerateArray().Select(e => (Key: e.GetProperty("item").GetString()!, Score: e.GetProperty("score").GetSingle())).ToArray();

        var offline = new TopKRecommender(new ModelScorer(Model(1)), data).Recommend(history, 5);
        Assert.Equal(offline.Select(r => r.Key), served.Select(s => s.Key));
        Assert.All(served.Zip(offline), p => Assert.Equal(p.Second.Score, p.First.Score, 1e-5));
        Assert.DoesNotContain(served, s => history.Select(i => data.ItemKeys[i]).Contains(s.Key));

        var (_, byUser) = await Post("/recommend", new { user = data.UserKeys[0], k = 3 });
        Assert.Equal(data.Sequences[0].Length, byUser.GetProperty("history_length").GetInt32());
        Assert.Equal(3, byUser.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task RankEqualsOfflineScores()
    {
        var history = new[] { 7, 8, 9, 10 };
        var candidates = new[] { 11, 2, 29, 7 };
        var (status, body) = await Post("/rank", new { history = history.Select(i => data.ItemKeys[i]).ToArray(), candidates = candidates.Select(i => data.ItemKeys[i]).ToArray() });
        Assert.Equal(HttpStatusCode.OK, status);
        var scores = new float[31];
        new ModelScorer(Model(1)).Score([new EvalCase(-1, history, 0)], scores);
        var served = body.GetProperty("scores").EnumerateArray().ToArray();
        Assert.Equal(candidates.Select(c => data.ItemKeys[c]), served.Select(s => s.GetProperty("item").GetString()));
        for (var i = 0; i < candidates.Length; i++)
        {
            Assert.Equal(scores[candidates[i]], served[i].GetProperty("score").GetSingle(), 1e-5);
        }
    }

    [Theory]
    [InlineData("""{"history": ["1", "nope"], "k": 3}""", 400, "'nope'")]
    [InlineData("""{"history": [], "k": 3}""", 400, "field 'history'")]
    [InlineData("""{"history": ["1"], "k": 0}""", 400, "field 'k'")]
    [InlineData("""{"history": ["1"], "k": 21}""", 400, "field 'k'")]
    [InlineData("""{"user": "u-none"}""", 404, "unknown user")]
    [InlineData("""{"user": "0", "history": ["1"]}""", 400, "not both")]
    [InlineData("""{}""", 400, "give 'user'")]
    [InlineData("""{"history": ["1",""", 400, "malformed JSON")]
    [InlineData("""{"history": "1"}""", 400, "field 'history': wrong type")]
    public async Task BadRecommendRequestsGetAClear4xx(string json, int expected, string message)
    {
        using var response = await client.PostAsync("/recommend", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(expected, (int)response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()!;
        Assert.Contains(message, error);
    }

    [Fact]
    public async Task OversizeHistoryBodyAndBadCandidatesAreRefused()
    {
        var (status, body) = await Post("/recommend", new { history = Enumerable.Repeat("1", 51).ToArray() });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("at most 50", body.GetProperty("error").GetString());

        (status, _) = await Post("/recommend", new { history = Enumerable.Repeat("1", 2_000).ToArray() });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);

        (status, body) = await Post("/rank", new { history = new[] { "1" }, candidates = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("field 'candidates'", body.GetProperty("error").GetString());

        using var form = await client.PostAsync("/rank", new StringContent("history=1"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
    }

    [Fact]
    public async Task MetricsCountRequestsByEndpointAndStatus()
    {
        await Post("/recommend", new { history = new[] { "1" } });
        await Post("/recommend", new { history = new[] { "x" } });
        var text = await client.GetStringAsync("/metrics");
        Assert.Contains("genrec_requests_total{endpoint=\"/recommend\",status=\"200\"} 1", text);
        Assert.Contains("genrec_requests_total{endpoint=\"/recommend\",status=\"400\"} 1", text);
        Assert.Contains("genrec_request_seconds_count{endpoint=\"/recommend\"} 2", text);
        Assert.Contains("le=\"+Inf\"", text);
    }

    [Fact]
    public async Task ReloadSwapsTheModelWithoutDroppingRequests()
    {
        var request = new { history = new[] { "3", "4" }, candidates = new[] { "5", "6", "7" } };
        var (_, before) = await Post("/rank", request);

        // Requests keep flowing while the model is swapped; every one of them must succeed.
        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            var statuses = new List<HttpStatusCode>();
            while (!stop.IsCancellationRequested)
            {
                statuses.Add((await Post("/rank", request)).Status);
            }

            return statuses;
        });
        var (reloadStatus, reloaded) = await Post("/reload", new { checkpoint = "second" });
        await Task.Delay(100);
        stop.Cancel();
        var statuses = await load;
        Assert.Equal(HttpStatusCode.OK, reloadStatus);
        Assert.Equal(2, reloaded.GetProperty("model_generation").GetInt32());
        Assert.NotEmpty(statuses);
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));

        var (_, after) = await Post("/rank", request);
        Assert.Equal(2, after.GetProperty("model_generation").GetInt32());
        Assert.NotEqual(before.GetProperty("scores")[0].GetProperty("score").GetSingle(), after.GetProperty("scores")[0].GetProperty("score").GetSingle());
        Assert.Equal("second", (await client.GetFromJsonAsync<JsonElement>("/health")).GetProperty("model").GetString());

        // A failed reload says why and keeps serving the current model.
        var (failed, error) = await Post("/reload", new { checkpoint = "missing" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, failed);
        Assert.Contains("still serving", error.GetProperty("error").GetString());
        Assert.Equal(2, (await Post("/rank", request)).Body.GetProperty("model_generation").GetInt32());
    }
}
