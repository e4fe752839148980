using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using GenRec.AspNetCore;
using GenRec.Checkpoints;
using GenRec.Data;
using GenRec.Serving;
using GenRec.Text;
using GenRec.Tests.Catalog;

namespace GenRec.Tests.Serving;

/// <summary>
/// The catalogue changed on a running service: items added by text are recommended as soon as the add answers,
/// withdrawn items never again until restored, bad requests change nothing, and a restart or a reload serves the same.
/// </summary>
public sealed class CatalogServiceTests
{
    private static async Task<RunningService> Serve(string checkpoint, SequenceDataset data, int maxItems = 1_000)
    {
        TextEncoders.Register("test-bag-of-words", () => new CatalogFixtures.BagOfWords());
        RetrievalEngine Load(string path) => RetrievalEngine.Load(path, new CheckpointOpenOptions { Dataset = data });
        var service = await RunningService.Start(new ModelHost(Load(checkpoint), null, Load), new GenRecServingOptions { AdminToken = "secret", CatalogEncoder = "test-bag-of-words", MaxCatalogItems = maxItems });
        service.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "secret");
        return service;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> Post(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body, RecommendationService.Json);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static async Task<string[]> Everything(HttpClient client, SequenceDataset data, params string[] history)
    {
        var (status, body) = await Post(client, "/recommend", new { history, k = 20 });
        Assert.Equal(HttpStatusCode.OK, status);
        return [.. body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("item").GetString()!)];
    }

    [Fact]
    public async Task AHostWithAnUnknownCatalogueMappingDoesNotStart()
    {
        using var dir = new TempDir();
        var (checkpoint, data) = CatalogFixtures.Trained(dir);
        RetrievalEngine Load(string path) => RetrievalEngine.Load(path, new CheckpointOpenOptions { Dataset = data });
        var error = await Assert.ThrowsAsync<ArgumentException>(() => RunningService.Start(new ModelHost(Load(checkpoint), null, Load), new GenRecServingOptions { CatalogMapping = "lasso" }));
        Assert.Contains("'lasso' is not a choice", error.Message, StringComparison.Ordinal);
        Assert.Contains("knn", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddedItemsAreRecommendedAtOnceWithdrawnOnesNeverAndARestartServesTheSame()
    {
        using var dir = new TempDir();
        var (checkpoint, data) = CatalogFixtures.Trained(dir);
        var (one, two, three) = (data.ItemKeys[1], data.ItemKeys[2], data.ItemKeys[3]);
        await using (var service = await Serve(checkpoint, data))
        {
            var client = service.Client;
            using (var anonymous = new HttpClient { BaseAddress = client.BaseAddress })
            {
                using var refused = await anonymous.PostAsJsonAsync("/catalog/items", new { items = new[] { new { id = "new-a", title = "x" } } }, RecommendationService.Json);
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            }

            var (status, added) = await Post(client, "/catalog/items", new { items = new[] { new { id = "new-a", title = "item colour 1 shape 2" }, new { id = "new-b", title = "item colour 3 shape 0" } } });
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal((2, data.NumItems + 2), (added.GetProperty("added").GetInt32(), added.GetProperty("items").GetInt32()));
            Assert.Contains("new-b", await Everything(client, data, "new-a", one));               // readable in a history, ranked among all

            (status, _) = await Post(client, "/catalog/withdraw", new { items = new[] { "new-b", three } });
            Assert.Equal(HttpStatusCode.OK, status);
            var answer = await Everything(client, data, one, two);
            Assert.DoesNotContain("new-b", answer);
            Assert.DoesNotContain(three, answer);
            (status, _) = await Post(client, "/catalog/restore", new { items = new[] { three } });
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains(three, await Everything(client, data, one, two));

            var (again, repeat) = await Post(client, "/catalog/items", new { items = new[] { new { id = "new-a", title = "item colour 1 shape 2" } } });
            Assert.Equal(HttpStatusCode.OK, again);
            Assert.Equal((0, 1), (repeat.GetProperty("added").GetInt32(), repeat.GetProperty("already_there").GetInt32()));

            using var reload = await client.PostAsync("/reload", null);
            Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
            Assert.DoesNotContain("new-b", await Everything(client, data, one, two));
        }

        await using (var restarted = await Serve(checkpoint, data))
        {
            var answer = await Everything(restarted.Client, data, one, two);
            Assert.Contains("new-a", answer);
            Assert.DoesNotContain("new-b", answer);
            Assert.Contains(three, answer);
        }
    }

    [Fact]
    public async Task WithUSearchACatalogueChangeExtendsTheServedGraphInPlaceAndKeepsKnownUsersStates()
    {
        using var dir = new TempDir();
        var (checkpoint, data) = CatalogFixtures.Trained(dir);
        TextEncoders.Register("test-bag-of-words", () => new CatalogFixtures.BagOfWords());
        ModelHost? host = null;
        RetrievalEngine Load(string path) => RetrievalEngine.Load(path, new CheckpointOpenOptions { Dataset = data }, GenRec.Configuration.IndexKind.USearch, host?.Current.Engine as RetrievalEngine);
        var first = Load(checkpoint);
        first.PrecomputeKnownUsers();
        host = new ModelHost(first, null, Load);
        await using var service = await RunningService.Start(host, new GenRecServingOptions { AdminToken = "secret", CatalogEncoder = "test-bag-of-words" });
        var client = service.Client;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "secret");
        var graph = ((GenRec.Serving.Indexing.ItemIndexSnapshot)Index(first)).Graph;
        Assert.False(first.IndexExtended);
        Assert.Equal(data.NumItems, graph.Count);

        var (status, _) = await Post(client, "/catalog/items", new { items = new[] { new { id = "new-a", title = "item colour 1 shape 2" } } });
        Assert.Equal(HttpStatusCode.OK, status);
        var second = Assert.IsType<RetrievalEngine>(host.Current.Engine);
        Assert.NotSame(first, second);
        Assert.True(second.IndexExtended);
        Assert.Same(graph, ((GenRec.Serving.Indexing.ItemIndexSnapshot)Index(second)).Graph);  // the same native graph, one item more
        Assert.Equal(data.NumItems + 1, graph.Count);
        Assert.Equal(first.CachedUsers, second.CachedUsers);                                     // known users' states kept, not recomputed
        Assert.Contains("new-a", await Everything(client, data, data.ItemKeys[1]));
        Assert.DoesNotContain(first.Recommend([1], 25), r => r.Key == "new-a");                // the replaced engine still answers over its own items

        (status, _) = await Post(client, "/catalog/withdraw", new { items = new[] { "new-a" } });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(Served(host).IndexExtended);
        Assert.DoesNotContain("new-a", await Everything(client, data, data.ItemKeys[1]));

        // The checkpoint file rewritten (a new training run to the same path): its graph is built anew.
        File.SetLastWriteTimeUtc(checkpoint, DateTime.UtcNow.AddMinutes(1));
        using var reload = await client.PostAsync("/reload", null);
        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        Assert.False(Served(host).IndexExtended);
        Assert.NotSame(graph, ((GenRec.Serving.Indexing.ItemIndexSnapshot)Index(Served(host))).Graph);
    }

    private static GenRec.Serving.Indexing.IItemIndex Index(RetrievalEngine engine) => engine.ItemIndex!;

    private static RetrievalEngine Served(ModelHost host) => Assert.IsType<RetrievalEngine>(host.Current.Engine);

    [Fact]
    public async Task BadRequestsNameTheFieldAndChangeNothing()
    {
        using var dir = new TempDir();
        var (checkpoint, data) = CatalogFixtures.Trained(dir);
        await using var service = await Serve(checkpoint, data, maxItems: 3);
        var client = service.Client;
        async Task Refused(HttpStatusCode expected, string path, object body, string says)
        {
            var (status, error) = await Post(client, path, body);
            Assert.Equal(expected, status);
            Assert.Contains(says, error.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        await Refused(HttpStatusCode.BadRequest, "/catalog/items", new { items = new[] { new { id = "n1", title = "a b" }, new { id = "n1", title = "a b" } } }, "appears twice");
        await Refused(HttpStatusCode.BadRequest, "/catalog/items", new { items = new[] { new { id = "n1", title = "a", colour = "red" } } }, "colour");
        await Refused(HttpStatusCode.BadRequest, "/catalog/items", new { items = new[] { new { id = "n1" } } }, "items[0].title");
        await Refused(HttpStatusCode.BadRequest, "/catalog/items", new { items = Array.Empty<object>() }, "at least one item");
        await Refused(HttpStatusCode.Conflict, "/catalog/items", new { items = new[] { new { id = "n2", title = "fine" }, new { id = data.ItemKeys[4], title = "x" } } }, "trained on");
        await Refused(HttpStatusCode.RequestEntityTooLarge, "/catalog/items", new { items = Enumerable.Range(0, 4).Select(i => new { id = $"m{i}", title = "t" }).ToArray() }, "at most 3");
        await Refused(HttpStatusCode.BadRequest, "/catalog/withdraw", new { items = new[] { "nowhere" } }, "not in the served catalogue");
        using var notJson = await client.PostAsync("/catalog/items", new ByteArrayContent([0xC3, 0x28, 0xFF]) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } });
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);                             // not UTF-8

        Assert.False(File.Exists(GenRec.Catalog.ItemCatalog.PathOf(checkpoint)));                 // nothing half added
        var health = await client.GetFromJsonAsync<JsonElement>("/health");
        Assert.Equal(data.NumItems, health.GetProperty("items").GetInt32());
    }
}
