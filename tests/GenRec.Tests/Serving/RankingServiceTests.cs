using GenRec.Configuration;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GenRec.AspNetCore;
using GenRec.Models;
using GenRec.Models.Ranking;
using GenRec.Serving;
using GenRec.Tests.Training;

namespace GenRec.Tests.Serving;

/// <summary><c>/rank</c> with an HSTU ranking model: task probabilities equal direct candidate scoring; missing signals are refused.</summary>
public class RankingServiceTests
{
    [Fact]
    public async Task RankReturnsTheRankersTaskProbabilities()
    {
        var data = TrainingTests.CycleDataset(users: 30, items: 25, seed: 2, timed: true); // ratings and timestamps
        TorchSharp.torch.manual_seed(5);
        var retrieval = new RetrievalEngine(new SequentialRecommender(TrainingTests.SmallRun(1).Model, 25), data, IndexKind.Hnsw, "retrieval");
        var rankerModel = new HstuRanker(new RankingConfig { EmbeddingDim = 16, MaxHistory = 16, NumBlocks = 1 }, 25, numTasks: 2);
        var ranker = new RankingEngine(rankerModel, RankingTasks.Names(rated: true), data, "ranker");
        var host = new ModelHost(retrieval, ranker, _ => throw new InvalidOperationException());
        await using var service = await RunningService.Start(host, new GenRecServingOptions());
        var client = service.Client;

        var candidates = new[] { 3, 9, 14 };
        var keys = candidates.Select(c => data.ItemKeys[c]).ToArray();
        using var byUser = await client.PostAsJsonAsync("/rank", new { user = data.UserKeys[4], candidates = keys }, RecommendationService.Json);
        Assert.Equal(HttpStatusCode.OK, byUser.StatusCode);
        var scored = (await byUser.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("scores").EnumerateArray().ToArray();
        var expected = ranker.Score(data.Sequences[4], data.Ratings![4], data.Timestamps![4], candidates);
        for (var i = 0; i < candidates.Length; i++)
        {
            Assert.Equal(expected[2 * i], scored[i].GetProperty("tasks").GetProperty("engage").GetSingle(), 1e-6);
            Assert.Equal(expected[(2 * i) + 1], scored[i].GetProperty("tasks").GetProperty("like").GetSingle(), 1e-6);
        }

        var history = data.Sequences[4].Select(i => data.ItemKeys[i]).ToArray();
        using var noRatings = await client.PostAsJsonAsync("/rank", new { history, candidates = keys }, RecommendationService.Json);
        Assert.Equal(HttpStatusCode.BadRequest, noRatings.StatusCode);
        Assert.Contains("field 'ratings'", await noRatings.Content.ReadAsStringAsync());

        using var explicitSignals = await client.PostAsJsonAsync("/rank", new { history, ratings = data.Ratings[4], timestamps = data.Timestamps[4], candidates = keys }, RecommendationService.Json);
        var again = (await explicitSignals.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("scores").EnumerateArray().ToArray();
        Assert.Equal(scored.Select(s => s.GetProperty("tasks").GetProperty("like").GetSingle()), again.Select(s => s.GetProperty("tasks").GetProperty("like").GetSingle()));

        var health = await client.GetFromJsonAsync<JsonElement>("/health");
        Assert.Equal("ranker", health.GetProperty("ranker").GetString());
    }
}
