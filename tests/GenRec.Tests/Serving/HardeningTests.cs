using GenRec.Configuration;
using GenRec.Checkpoints;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GenRec.AspNetCore;
using GenRec.Data;
using GenRec.Models;
using GenRec.Serving;
using GenRec.Tests.Training;
using GenRec.Training;
using static TorchSharp.torch;

namespace GenRec.Tests.Serving;

/// <summary>
/// <c>genrec serve</c> against hostile callers and bad files, on a real Kestrel with real checkpoint
/// files under a model root: the admin token, path confinement, damaged and hostile checkpoints,
/// validation before a swap, strict contracts, JSON errors for every status, metrics of the status sent.
/// </summary>
public sealed class HardeningTests : IAsyncLifetime
{
    private const string Token = "a-long-enough-admin-token";
    private readonly TempDir dir = new();
    private readonly SequenceDataset data = TrainingTests.CycleDataset(users: 40, items: 30, seed: 11);
    private readonly SequenceDataset other = Renamed(TrainingTests.CycleDataset(users: 40, items: 30, seed: 12));
    private RunningService? service;
    private HttpClient client = new();
    private ModelHost? host;

    private string Root => Path.Combine(dir.Path, "models");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        Save("first.ckpt", "test", seed: 1);
        Save("second.ckpt", "test", seed: 2);
        host = new ModelHost(Engine(Path.Combine(Root, "first.ckpt")), null, Engine) { Paths = new ModelPathGuard(Root, 10 << 20), Timeout = TimeSpan.FromSeconds(20) };
        service = await RunningService.Start(host, new GenRecServingOptions { AdminToken = Token, MaxHistory = 50, MaxK = 20 });
        client = service.Client;
    }

    public async Task DisposeAsync()
    {
        if (service is not null)
        {
            await service.DisposeAsync();
        }

        dir.Dispose();
    }

    /// <summary>The production loader's file reading (bounded header, weights) with the dataset named by the run.</summary>
    private RetrievalEngine Engine(string path)
    {
        var (model, header) = RetrievalCheckpoint.LoadModel(path);
        return new RetrievalEngine(model, header.Config.Name == "other" ? other : data, IndexKind.Exact, path);
    }

    private string Save(string name, string run, int seed, Action<SequentialRecommender>? damage = null)
    {
        manual_seed(seed);
        var config = TrainingTests.SmallRun(1) with { Name = run };
        var model = new SequentialRecommender(config.Model, 30);
        damage?.Invoke(model);
        var path = Path.Combine(Root, name);
        RetrievalCheckpoint.Save(path, config, model, null, new TrainingState());
        return path;
    }

    private static SequenceDataset Renamed(SequenceDataset d)
    {
        var log = new InteractionLog("shop", hasRatings: false, hasTimestamps: false);
        for (var u = 0; u < d.NumUsers; u++)
        {
            foreach (var item in d.Sequences[u])
            {
                log.Add(d.UserKeys[u], $"sku-{d.ItemKeys[item]}");
            }
        }

        return GenRec.Data.Preparation.DatasetPreparer.Prepare("shop", log, new GenRec.Data.Preparation.PrepareOptions(), null, "synthetic");
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> Send(HttpMethod method, string path, string? json = null, string? token = Token, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, contentType);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private Task<(HttpStatusCode Status, JsonElement Body)> Reload(string checkpoint, bool allowDatasetChange = false) =>
        Send(HttpMethod.Post, "/reload", JsonSerializer.Serialize(new { checkpoint, allow_dataset_change = allowDatasetChange }));

    private async Task AssertStillServing(int generation)
    {
        var (status, body) = await Send(HttpMethod.Post, "/recommend", """{"history": ["3", "4"], "k": 3}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(generation, body.GetProperty("model_generation").GetInt32());
    }

    [Fact]
    public async Task ReloadNeedsTheBearerToken()
    {
        var (status, body) = await Send(HttpMethod.Post, "/reload", """{"checkpoint": "second.ckpt"}""", token: null);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("token", body.GetProperty("error").GetString());
        (status, _) = await Send(HttpMethod.Post, "/reload", """{"checkpoint": "second.ckpt"}""", token: Token + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        await AssertStillServing(1);

        (status, body) = await Reload("second.ckpt");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, body.GetProperty("model_generation").GetInt32());
        await AssertStillServing(2);
    }

    [Fact]
    public void WithoutATokenAdminIsOpenOnlyOnLoopback()
    {
        var request = new Microsoft.AspNetCore.Http.DefaultHttpContext().Request;
        Assert.Equal(403, new AdminGuard(null, loopbackOnly: false).Check(request)!.StatusCode);
        Assert.Null(new AdminGuard(null, loopbackOnly: true).Check(request));
        Assert.Equal(401, new AdminGuard(Token, loopbackOnly: true).Check(request)!.StatusCode);
        request.Headers.Authorization = $"Bearer {Token}";
        Assert.Null(new AdminGuard(Token, loopbackOnly: false).Check(request));
    }

    [Fact]
    public async Task PathsOutsideTheModelRootAndNonRegularFilesAreRefusedFast()
    {
        var outside = Path.Combine(dir.Path, "outside.ckpt");
        File.Copy(Path.Combine(Root, "second.ckpt"), outside);
        File.CreateSymbolicLink(Path.Combine(Root, "escape.ckpt"), outside);
        File.CreateSymbolicLink(Path.Combine(Root, "zero.ckpt"), "/dev/zero");
        Directory.CreateDirectory(Path.Combine(Root, "folder.ckpt"));
        using (var mkfifo = Process.Start("mkfifo", Path.Combine(Root, "pipe.ckpt")))
        {
            await mkfifo.WaitForExitAsync();
        }

        var watch = Stopwatch.StartNew();
        foreach (var (path, expected) in new[]
        {
            (outside, HttpStatusCode.Forbidden),
            ("../outside.ckpt", HttpStatusCode.Forbidden),
            ("/etc/passwd", HttpStatusCode.Forbidden),
            ("/dev/zero", HttpStatusCode.Forbidden),
            ("/no/such/file", HttpStatusCode.Forbidden),        // the same answer as an existing file outside: no probing
            ("escape.ckpt", HttpStatusCode.Forbidden),          // a symbolic link out of the root
            ("zero.ckpt", HttpStatusCode.Forbidden),
            ("folder.ckpt", HttpStatusCode.BadRequest),
            ("pipe.ckpt", HttpStatusCode.BadRequest),           // opening it would block
            ("missing.ckpt", HttpStatusCode.NotFound),
        })
        {
            var (status, body) = await Reload(path);
            Assert.True(expected == status, $"{path}: {status} {body}");
            Assert.True(body.TryGetProperty("request_id", out _));
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"refusals took {watch.Elapsed}");
        await AssertStillServing(1);
        Assert.Equal(HttpStatusCode.OK, (await Reload("second.ckpt")).Status); // a FIFO did not hang later reloads
    }

    [Fact]
    public async Task DamagedAndHostileCheckpointsAreRefusedAndTheOldModelStays()
    {
        var good = await File.ReadAllBytesAsync(Path.Combine(Root, "second.ckpt"));
        await File.WriteAllBytesAsync(Path.Combine(Root, "truncated.ckpt"), good[..(good.Length / 2)]);
        await File.WriteAllBytesAsync(Path.Combine(Root, "short.ckpt"), good[..5]);
        await File.WriteAllBytesAsync(Path.Combine(Root, "empty.ckpt"), []);
        using (var w = new BinaryWriter(File.Create(Path.Combine(Root, "huge-header.ckpt"))))
        {
            w.Write("GENRECCK1");
            w.Write7BitEncodedInt(int.MaxValue);              // a header claiming 2 GiB
            w.Write(new byte[1024]);
        }

        Save("nan.ckpt", "test", seed: 3, model =>
        {
            using var _ = no_grad();
            model.parameters().First().view(-1)[0].fill_(float.NaN);
        });
        Save("other.ckpt", "other", seed: 4);
        Save("huge-rows.ckpt", "test", seed: 5, model =>
        {
            // Finite but absurd item rows: every item then scores alike for every user; one smoke query passed this.
            using var _ = no_grad();
            model.named_parameters().First(p => p.name.Contains("item", StringComparison.Ordinal)).parameter.fill_(1e30f);
        });
        Save("same-rows.ckpt", "test", seed: 6, model =>
        {
            // Every item the same finite vector: finite scores, all equal, whatever the history.
            using var _ = no_grad();
            model.named_parameters().First(p => p.name.Contains("item", StringComparison.Ordinal)).parameter.fill_(0.5f);
        });

        var before = Process.GetCurrentProcess().WorkingSet64;
        var watch = Stopwatch.StartNew();
        var (status, body) = await Reload("huge-header.ckpt");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains("claims", body.GetProperty("error").GetString());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
        Process.GetCurrentProcess().Refresh();
        Assert.True(Process.GetCurrentProcess().WorkingSet64 - before < 100L << 20, "resident memory grew by more than 100 MB");

        foreach (var (file, message) in new[] { ("truncated.ckpt", "weights"), ("short.ckpt", ""), ("empty.ckpt", ""), ("nan.ckpt", "NaN"), ("other.ckpt", "allow_dataset_change"), ("huge-rows.ckpt", "validation query"), ("same-rows.ckpt", "degenerate") })
        {
            (status, body) = await Reload(file);
            Assert.True(status == HttpStatusCode.UnprocessableEntity, $"{file}: {status} {body}");
            Assert.Contains(message, body.GetProperty("error").GetString());
            await AssertStillServing(1);
        }

        (status, body) = await Reload("other.ckpt", allowDatasetChange: true);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("shop", body.GetProperty("dataset").GetString());
        var metrics = await client.GetStringAsync("/metrics");
        Assert.Contains("genrec_reloads_total{outcome=\"failed\"} 8", metrics);
        Assert.Contains("genrec_model_generation 2", metrics);
    }

    [Fact]
    public async Task ANonJsonReloadBodyIs415()
    {
        var (status, body) = await Send(HttpMethod.Post, "/reload", "checkpoint=second.ckpt", contentType: "application/x-www-form-urlencoded");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Contains("JSON", body.GetProperty("error").GetString());
        await AssertStillServing(1);
    }

    [Theory]
    [InlineData("""{"history": ["1"], "filterHistory": false}""", "field 'filterHistory': unknown field")]
    [InlineData("""{"History": ["1"]}""", "field 'History': unknown field")]
    [InlineData("""{"history": ["1"], "k": "10"}""", "field 'k': wrong type")]
    [InlineData("""{"history": ["1"], "k": 2.5}""", "field 'k': wrong type")]
    public async Task RequestContractsAreStrict(string json, string message)
    {
        var (status, body) = await Send(HttpMethod.Post, "/recommend", json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(message, body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task EchoedIdsAreClipped()
    {
        var huge = new string('x', 200_000);
        using var response = await client.PostAsync("/recommend", new StringContent($$"""{"history": ["{{huge}}"]}""", Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(text.Length < 1_000, $"{text.Length} characters echoed");
        Assert.Contains("200,000 characters", text);
    }

    [Fact]
    public async Task EveryErrorStatusHasAJsonBody()
    {
        async Task Expect(HttpRequestMessage request, int status)
        {
            using var response = await client.SendAsync(request);
            Assert.Equal(status, (int)response.StatusCode);
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.False(string.IsNullOrEmpty(body.GetProperty("error").GetString()));
            Assert.Equal(response.Headers.GetValues("X-Request-Id").Single(), body.GetProperty("request_id").GetString());
        }

        await Expect(new HttpRequestMessage(HttpMethod.Get, "/nowhere"), 404);
        await Expect(new HttpRequestMessage(HttpMethod.Get, "/recommend"), 405);
        await Expect(new HttpRequestMessage(HttpMethod.Get, "/x?" + new string('q', 10_000)), 414);
        var large = new HttpRequestMessage(HttpMethod.Get, "/health");
        large.Headers.Add("X-Padding", new string('p', 40_000));
        await Expect(large, 431);
        var wrongHost = new HttpRequestMessage(HttpMethod.Get, "/health");
        wrongHost.Headers.Host = "rebinding.example";
        await Expect(wrongHost, 400);
        await Expect(new HttpRequestMessage(HttpMethod.Post, "/recommend") { Content = new StringContent($$"""{"history": [{{string.Join(",", Enumerable.Repeat("\"1\"", 80_000))}}]}""", Encoding.UTF8, "application/json") }, 413);
    }

    [Fact]
    public async Task UnexpectedFailuresAreJson500sCountedAs500AndDegradeReadiness()
    {
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/ready")).StatusCode);
        host!.Current.Engine.Dispose(); // every forward pass now throws inside libtorch's wrapper
        for (var i = 0; i < HealthTracker.MinFailures; i++)
        {
            var (status, body) = await Send(HttpMethod.Post, "/recommend", """{"history": ["3"]}""");
            Assert.Equal(HttpStatusCode.InternalServerError, status);
            Assert.Contains("request id", body.GetProperty("error").GetString());
            Assert.False(string.IsNullOrEmpty(body.GetProperty("request_id").GetString()));
        }

        var metrics = await client.GetStringAsync("/metrics");
        Assert.Contains($"genrec_requests_total{{endpoint=\"/recommend\",status=\"500\"}} {HealthTracker.MinFailures}", metrics);
        Assert.Contains("process_working_set_bytes", metrics);
        Assert.Contains("dotnet_collection_count_total", metrics);
        Assert.Equal("degraded", (await client.GetFromJsonAsync<JsonElement>("/health")).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/ready")).StatusCode);
    }

    /// <summary>Route variants (case, trailing slash) are the same endpoint for the rate limiter and the metrics' label, not a way around them.</summary>
    [Fact]
    public async Task RouteVariantsAreLimitedAndCountedAsTheirEndpoint()
    {
        await using var limited = await Service(new GenRecServingOptions { RateLimitPerSecond = 3 });
        var http = limited.Client;
        var statuses = new List<int>();
        foreach (var path in new[] { "/recommend", "/Recommend", "/RECOMMEND", "/recommend/", "/ReCommend/", "/recommend//" })
        {
            using var response = await http.PostAsync(path, new StringContent("""{"history": ["3"]}""", Encoding.UTF8, "application/json"));
            statuses.Add((int)response.StatusCode);
        }

        Assert.Equal(3, statuses.Count(s => s == 200));
        Assert.Equal(3, statuses.Count(s => s == 429));
        var metrics = await http.GetStringAsync("/Metrics/");
        Assert.Contains("endpoint=\"/recommend\",status=\"200\"} 3", metrics);
        Assert.DoesNotContain("endpoint=\"other\"", metrics);
        Assert.Equal("/rank", RecommendationService.CanonicalPath("/RANK/"));
        Assert.Null(RecommendationService.CanonicalPath("/recommend"));
        Assert.Null(RecommendationService.CanonicalPath("/recommendx"));
    }

    [Fact]
    public async Task RateLimitAnswers429WithJson()
    {
        await using var limited = await Service(new GenRecServingOptions { RateLimitPerSecond = 3 });
        var http = limited.Client;
        var statuses = new List<int>();
        for (var i = 0; i < 8; i++)
        {
            using var response = await http.PostAsync("/recommend", new StringContent("""{"history": ["3"]}""", Encoding.UTF8, "application/json"));
            statuses.Add((int)response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Contains("requests per second", await response.Content.ReadAsStringAsync());
            }
        }

        Assert.Equal(3, statuses.Count(s => s == 200));
        Assert.Contains(429, statuses);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode); // probes are not limited
    }

    [Fact]
    public async Task APortInUseAndABadHostAreClearErrors()
    {
        var busy = client.BaseAddress!.Port;
        var engine = new RetrievalEngine(new SequentialRecommender(TrainingTests.SmallRun(1).Model, 30), data, IndexKind.Exact, "second");
        await using var second = RecommendationService.Build(new ModelHost(engine, null, _ => throw new InvalidOperationException()), new GenRecServingOptions { Port = busy });
        await Assert.ThrowsAnyAsync<IOException>(() => second.StartAsync());
        Assert.Contains("not an IP address", Assert.Throws<ArgumentException>(() => RecommendationService.BindAddress("my host")).Message);
        Assert.Equal(IPAddress.Loopback, RecommendationService.BindAddress("localhost"));
    }

    /// <summary>A second service with its own options (no reloads).</summary>
    private Task<RunningService> Service(GenRecServingOptions options)
    {
        var engine = new RetrievalEngine(new SequentialRecommender(TrainingTests.SmallRun(1).Model, 30), data, IndexKind.Exact, "extra");
        return RunningService.Start(new ModelHost(engine, null, _ => throw new InvalidOperationException()), options);
    }

    [Fact]
    public async Task ForwardedAddressesCountOnlyFromKnownProxies()
    {
        async Task<int[]> Burst(RunningService service)
        {
            var statuses = new List<int>();
            for (var i = 0; i < 4; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/recommend") { Content = new StringContent("""{"history": ["3"]}""", Encoding.UTF8, "application/json") };
                request.Headers.Add("X-Forwarded-For", $"10.0.0.{i}");      // four clients behind one proxy
                using var response = await service.Client.SendAsync(request);
                statuses.Add((int)response.StatusCode);
            }

            return [.. statuses];
        }

        await using (var trusting = await Service(new GenRecServingOptions { RateLimitPerSecond = 1, KnownProxies = ["127.0.0.1"] }))
        {
            Assert.All(await Burst(trusting), s => Assert.Equal(200, s));          // one bucket per client
        }

        await using var direct = await Service(new GenRecServingOptions { RateLimitPerSecond = 1 });
        var statuses = await Burst(direct);
        Assert.Equal(new[] { 200, 429, 429, 429 }, statuses);                   // the header is not trusted: one bucket
    }

    /// <summary>A body sent in two halves with a pause between them: a request that stays in flight.</summary>
    private sealed class SlowBody(string json, TimeSpan pause) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            await stream.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
            await stream.FlushAsync();
            await Task.Delay(pause);
            await stream.WriteAsync(bytes.AsMemory(bytes.Length / 2));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = Encoding.UTF8.GetByteCount(json);
            return true;
        }
    }

    [Fact]
    public async Task ASlowRequestTimesOutWithAJson503()
    {
        await using var service = await Service(new GenRecServingOptions { RequestTimeout = TimeSpan.FromMilliseconds(300) });
        var content = new SlowBody("""{"history": ["3", "4"], "k": 2}""", TimeSpan.FromSeconds(2));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await service.Client.PostAsync("/recommend", content);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("too long", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ShutdownLetsRequestsInFlightFinish()
    {
        // A batch that waits 800 ms to fill keeps the request in the service while it stops.
        await using var service = await Service(new GenRecServingOptions { MaxBatch = 64, BatchWait = TimeSpan.FromMilliseconds(800), BatchWorkers = 1 });
        var watch = Stopwatch.StartNew();
        var inFlight = service.Client.PostAsync("/recommend", new StringContent("""{"history": ["3", "4"], "k": 2}""", Encoding.UTF8, "application/json"));
        await Task.Delay(300);
        await service.App.StopAsync();
        using var response = await inFlight;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(watch.Elapsed > TimeSpan.FromMilliseconds(700), $"answered after {watch.Elapsed}");
        Assert.Equal(2, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("items").GetArrayLength());
    }
}
