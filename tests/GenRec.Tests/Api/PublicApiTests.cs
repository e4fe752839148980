using GenRec.Configuration;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GenRec.Data;
using GenRec.Evaluation;
using GenRec.AspNetCore;
using GenRec.Tests.Training;
using GenRec.Training;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GenRec.Tests.Api;

/// <summary>The public API as a program uses it: in-memory data, training with progress, a recommender, ASP.NET Core hosting.</summary>
public sealed class PublicApiTests
{
    // Each user walks the item cycle 1 -> 2 -> ... -> 30 -> 1 from a random start: the next item is always current + 1.
    internal static Interaction[] CycleLog(int users = 80, int items = 30, int seed = 5)
    {
        var rng = new Random(seed);
        var rows = new List<Interaction>();
        for (var u = 0; u < users; u++)
        {
            var start = rng.Next(items);
            var length = rng.Next(8, 14);
            for (var t = 0; t < length; t++)
            {
                rows.Add(new Interaction($"u{u}", $"{((start + t) % items) + 1}", Timestamp: 1_000 + t));
            }
        }

        // Shuffled: preparation orders each user's events by time.
        return [.. rows.OrderBy(_ => rng.Next())];
    }

    [Fact]
    public void FromInteractionsOrdersByTimeWithLogOrderBreakingTies()
    {
        var data = Datasets.FromInteractions("tiny", [
            new Interaction("a", "x", 30), new Interaction("a", "y", 10), new Interaction("a", "z", 10), new Interaction("b", "y", 5),
        ]);
        Assert.Equal(2, data.NumUsers);
        Assert.Equal(3, data.NumItems);
        var a = data.Sequences[data.UserIds["a"]].Select(i => data.ItemKeys[i]);
        Assert.Equal(["y", "z", "x"], a);
        var error = Assert.Throws<ArgumentException>(() => Datasets.FromInteractions("bad", [new Interaction("a", "x"), new Interaction("", "y")]));
        Assert.Contains("interaction 1: empty user id", error.Message);
    }

    [Fact]
    public async Task TrainRecommendRankEvaluateAndHost()
    {
        using var dir = new TempDir();
        var data = Datasets.FromInteractions("cycle", CycleLog());
        var grd = Path.Combine(dir.Path, "cycle.grd");
        Datasets.Save(data, grd);
        var progress = new CountingObserver();
        var config = TrainingTests.SmallRun(12) with { Data = new DataConfig { Path = grd } };
        var result = Trainer.Run(config, Datasets.Load(grd), Path.Combine(dir.Path, "run"), observer: progress);
        Assert.Equal(12, progress.Epochs);
        Assert.True(progress.Steps >= 12);

        // Found from the path recorded in the checkpoint.
        using var recommender = Recommender.Load(result.Checkpoint);
        Assert.Equal(30, recommender.Dataset.NumItems);

        // The planted rule: after ..., 7, 8 comes 9 (filtering leaves out the history).
        var next = recommender.RecommendAfter(["6", "7", "8"], k: 3);
        Assert.Equal("9", next[0].Key);
        Assert.DoesNotContain(next, r => r.Key is "6" or "7" or "8");

        var user = recommender.Dataset.UserKeys[0];
        var forUser = recommender.Recommend(user, k: 5);
        Assert.Equal(5, forUser.Count);
        Assert.True(forUser.Zip(forUser.Skip(1)).All(p => p.First.Score >= p.Second.Score));

        // Rank scores agree with the top-k's own scores.
        var scores = recommender.Rank(["6", "7", "8"], [next[1].Key, "9"]);
        Assert.Equal(next[0].Score, scores[1], 1e-4);
        Assert.Equal(next[1].Score, scores[0], 1e-4);

        // Unknown ids are named; unknown users too.
        var unknown = Assert.Throws<ArgumentException>(() => recommender.RecommendAfter(["6", "nope"]));
        Assert.Contains("'nope'", unknown.Message);
        Assert.Throws<KeyNotFoundException>(() => recommender.Recommend("nobody"));
        Assert.Throws<ArgumentOutOfRangeException>(() => recommender.Recommend(user, k: 0));

        // Evaluation of the test split equals the trainer's test of the same checkpoint.
        var evaluated = recommender.Evaluate();
        Assert.Equal(result.Test["hr@10"], evaluated["hr@10"], 1e-9);
        Assert.Equal(result.Test["ndcg@10"], evaluated["ndcg@10"], 1e-9);
        Assert.True(evaluated["hr@10"] > 0.8, $"hr@10 {evaluated["hr@10"]}");

        // The same checkpoint served inside an application of our own, under a prefix.
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddGenRec(o => o.Checkpoint = result.Checkpoint);
        await using var app = builder.Build();
        app.MapGenRec("/recs");
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
        using var ok = await client.PostAsJsonAsync("/recs/recommend", new { history = new[] { "6", "7", "8" }, k = 3 });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var body = await ok.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("9", body.GetProperty("items")[0].GetProperty("item").GetString());
        using var bad = await client.PostAsJsonAsync("/recs/recommend", new { history = new[] { "6" }, kk = 3 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("kk", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        using var reload = await client.PostAsync("/recs/reload", null);
        Assert.Equal(HttpStatusCode.Forbidden, reload.StatusCode); // no admin token given
        await app.StopAsync();
    }

    [Fact]
    public void MapGenRecWithoutAddGenRecSaysWhatIsMissing()
    {
        var builder = WebApplication.CreateSlimBuilder();
        var app = builder.Build();
        var error = Assert.Throws<InvalidOperationException>(() => app.MapGenRec());
        Assert.Contains("AddGenRec", error.Message);
    }

    private sealed class CountingObserver : ITrainingObserver
    {
        public int Epochs { get; private set; }

        public int Steps { get; private set; }

        public void EpochStarted(int epoch, int steps) => Epochs++;

        public void StepFinished(int epoch, int step, double loss) => Steps++;

        public void Validated(int epoch, IReadOnlyDictionary<string, double> metrics, bool improved)
        {
        }

        public void Message(string text)
        {
        }
    }
}
