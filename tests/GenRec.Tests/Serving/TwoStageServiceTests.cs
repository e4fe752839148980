using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GenRec.AspNetCore;
using GenRec.Configuration;
using GenRec.Data;
using GenRec.Models;
using GenRec.Models.Ranking;
using GenRec.Serving;
using GenRec.Tests.Training;

namespace GenRec.Tests.Serving;

/// <summary>
/// Two-stage <c>/recommend</c>: retrieval's top N ranked by the HSTU ranker equals calling <c>/recommend</c>, then
/// <c>/rank</c>, then sorting by the weighted task probabilities; a deadline that ranking cannot meet answers in
/// retrieval's order and says so; bad stage settings are 400s naming their field.
/// </summary>
public class TwoStageServiceTests
{
    private static (ModelHost Host, SequenceDataset Data) Models(bool withRanker = true)
    {
        var data = TrainingTests.CycleDataset(users: 30, items: 25, seed: 2, timed: true);   // ratings and timestamps
        TorchSharp.torch.manual_seed(5);
        var retrieval = new RetrievalEngine(new SequentialRecommender(TrainingTests.SmallRun(1).Model, 25), data, IndexKind.Exact, "retrieval");
        var ranker = withRanker
            ? new RankingEngine(new HstuRanker(new RankingConfig { EmbeddingDim = 16, MaxHistory = 16, NumBlocks = 1 }, 25, numTasks: 2), RankingTasks.Names(rated: true), data, "ranker")
            : null;
        return (new ModelHost(retrieval, ranker, _ => throw new InvalidOperationException()), data);
    }

    private static async Task<JsonElement> Post(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body, RecommendationService.Json);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task TwoStagesEqualRecommendThenRankThenSortingByTheWeightedTasks()
    {
        var (host, data) = Models();
        await using var service = await RunningService.Start(host, new GenRecServingOptions());
        var client = service.Client;
        var user = data.UserKeys[4];

        var answer = await Post(client, "/recommend", new { user, k = 5, stages = new { retrieve = 12, rank = true }, task_weights = new Dictionary<string, float> { ["engage"] = 1, ["like"] = 0.5f } });

        // By hand: retrieval's 12, the ranker's probabilities of them, engage + 0.5 like, best first (ties in retrieval's order).
        var retrieved = (await Post(client, "/recommend", new { user, k = 12 })).GetProperty("items").EnumerateArray().ToArray();
        var keys = retrieved.Select(i => i.GetProperty("item").GetString()!).ToArray();
        var ranked = (await Post(client, "/rank", new { user, candidates = keys })).GetProperty("scores").EnumerateArray().ToArray();
        var expected = ranked.Select((s, i) => (Key: keys[i], Retrieval: retrieved[i].GetProperty("score").GetSingle(),
                Score: s.GetProperty("tasks").GetProperty("engage").GetSingle() + (0.5f * s.GetProperty("tasks").GetProperty("like").GetSingle()), Index: i))
            .OrderByDescending(x => x.Score).ThenBy(x => x.Index).Take(5).ToArray();

        var items = answer.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(expected.Select(e => e.Key), items.Select(i => i.GetProperty("item").GetString()));
        for (var i = 0; i < items.Length; i++)
        {
            Assert.Equal(expected[i].Score, items[i].GetProperty("score").GetSingle(), 1e-6);
            Assert.Equal(expected[i].Retrieval, items[i].GetProperty("retrieval_score").GetSingle(), 1e-6);
            Assert.Equal("rank", items[i].GetProperty("stage").GetString());
        }

        var stages = answer.GetProperty("stages");
        Assert.Equal(12, stages.GetProperty("retrieved").GetInt32());
        Assert.True(stages.GetProperty("ranked").GetBoolean());
        Assert.False(stages.TryGetProperty("fallback", out _));
        Assert.NotEqual(keys.Take(5), items.Select(i => i.GetProperty("item").GetString()));     // ranking changed the order (else the test shows nothing)
    }

    [Fact]
    public async Task ADeadlineRankingCannotMeetAnswersInRetrievalsOrderAndSaysSo()
    {
        var (host, data) = Models();
        await using var service = await RunningService.Start(host, new GenRecServingOptions());
        var client = service.Client;
        var user = data.UserKeys[7];
        var retrieval = (await Post(client, "/recommend", new { user, k = 4 })).GetProperty("items").EnumerateArray().Select(i => (i.GetProperty("item").GetString(), i.GetProperty("score").GetSingle())).ToArray();

        var answer = await Post(client, "/recommend", new { user, k = 4, stages = new { retrieve = 10 }, deadline_ms = 0 });
        var items = answer.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(retrieval, items.Select(i => (i.GetProperty("item").GetString(), i.GetProperty("score").GetSingle())));
        Assert.All(items, i => Assert.Equal("retrieve", i.GetProperty("stage").GetString()));
        Assert.Equal("deadline", answer.GetProperty("stages").GetProperty("fallback").GetString());
        Assert.False(answer.GetProperty("stages").GetProperty("ranked").GetBoolean());
        Assert.Contains("genrec_rank_fallbacks_total{reason=\"deadline\"} 1", await client.GetStringAsync("/metrics"), StringComparison.Ordinal);

        var roomy = await Post(client, "/recommend", new { user, k = 4, stages = new { retrieve = 10 }, deadline_ms = 5_000 });
        Assert.True(roomy.GetProperty("stages").GetProperty("ranked").GetBoolean());
    }

    [Fact]
    public async Task AServerDefaultMakesEveryRecommendTwoStageAndARequestCanTurnRankingOff()
    {
        var (host, data) = Models();
        await using var service = await RunningService.Start(host, new GenRecServingOptions { TwoStageRetrieve = 10, TaskWeights = new Dictionary<string, float> { ["like"] = 1 } });
        var client = service.Client;
        var answer = await Post(client, "/recommend", new { user = data.UserKeys[3], k = 3 });
        Assert.Equal(10, answer.GetProperty("stages").GetProperty("retrieved").GetInt32());
        var items = answer.GetProperty("items").EnumerateArray().ToArray();
        Assert.All(items, i => Assert.Equal(i.GetProperty("tasks").GetProperty("like").GetSingle(), i.GetProperty("score").GetSingle(), 1e-6)); // like alone weighs
        var off = await Post(client, "/recommend", new { user = data.UserKeys[3], k = 3, stages = new { rank = false } });
        Assert.All(off.GetProperty("items").EnumerateArray(), i => Assert.Equal("retrieve", i.GetProperty("stage").GetString()));
    }

    [Theory]
    [InlineData("""{"user": "U", "k": 5, "stages": {"retrieve": 3}}""", "field 'stages.retrieve': 3 is out of range 5..")]
    [InlineData("""{"user": "U", "k": 5, "stages": {"retrieve": 20000}}""", "field 'stages.retrieve': 20000 is out of range")]
    [InlineData("""{"user": "U", "stages": {}, "task_weights": {"clicks": 1}}""", "field 'task_weights': unknown task 'clicks' (the ranker's tasks: engage, like)")]
    [InlineData("""{"user": "U", "stages": {}, "task_weights": {"like": -1}}""", "field 'task_weights': the weight of 'like' is -1")]
    [InlineData("""{"user": "U", "stages": {}, "task_weights": {"like": 0, "engage": 0}}""", "field 'task_weights': every weight is 0")]
    [InlineData("""{"user": "U", "stages": {}, "deadline_ms": -1}""", "field 'deadline_ms': -1 is negative")]
    [InlineData("""{"user": "U", "task_weights": {"like": 1}}""", "field 'task_weights': only for a two-stage request")]
    [InlineData("""{"user": "U", "stages": {"retrieve": "many"}}""", "stages")]
    public async Task BadStageSettingsAre400sNamingTheField(string body, string message)
    {
        var (host, data) = Models();
        await using var service = await RunningService.Start(host, new GenRecServingOptions());
        using var content = new StringContent(body.Replace("\"U\"", $"\"{data.UserKeys[2]}\"", StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/json");
        using var response = await service.Client.PostAsync("/recommend", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheOfflineEvaluationPlacesEachTargetWhereTheServedTwoStageAnswerPutsIt()
    {
        var (host, data) = Models();
        await using var service = await RunningService.Start(host, new GenRecServingOptions());
        var (retrieval, ranker, _, _) = host.Current;
        var cases = GenRec.Data.Splits.SequenceSplit.Create(data, GenRec.Data.Splits.SplitKind.LeaveOneOut).Test.Take(8).ToArray();
        var weights = new Dictionary<string, float> { ["engage"] = 1, ["like"] = 2 };
        var offline = GenRec.Evaluation.TwoStageEvaluation.Run(retrieval, ranker!, cases, retrieve: 15, weights);
        var moved = 0;
        for (var c = 0; c < cases.Length; c++)
        {
            var test = cases[c];
            var history = test.History.Select(i => data.ItemKeys[i]).ToArray();
            var served = (await Post(service.Client, "/recommend", new { history, ratings = test.HistoryRatings, timestamps = test.HistoryTimestamps, k = 15, stages = new { retrieve = 15 }, task_weights = weights }))
                .GetProperty("items").EnumerateArray().Select(i => i.GetProperty("item").GetString()).ToList();
            var alone = (await Post(service.Client, "/recommend", new { history, k = 15 })).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("item").GetString()).ToList();
            Assert.Equal(alone.IndexOf(data.ItemKeys[test.Target]), offline[c].RetrievalRank);
            Assert.Equal(served.IndexOf(data.ItemKeys[test.Target]), offline[c].TwoStageRank);
            moved += offline[c].RetrievalRank != offline[c].TwoStageRank ? 1 : 0;
        }

        Assert.True(moved > 0, "no target moved between the two orders: the test would show nothing");
    }

    [Fact]
    public void PairedDifferencesAndTheMetricsOfPlacesMatchHandValues()
    {
        // Places 0, 2, miss, 12: HR@10 1, 1, 0, 0; NDCG@10 1, 1/log2(4) = 0.5, 0, 0.
        Assert.Equal([1.0, 1, 0, 0], GenRec.Evaluation.TwoStageEvaluation.Hits([0, 2, -1, 12], 10));
        Assert.Equal([1.0, 0.5, 0, 0], GenRec.Evaluation.TwoStageEvaluation.Ndcg([0, 2, -1, 12], 10));
        // Differences 1, -1, 0, 2: mean 0.5, sd sqrt(((0.5)^2 + (1.5)^2 + (0.5)^2 + (1.5)^2) / 3) = sqrt(5/3), s.e. sd / 2.
        var (mean, se) = GenRec.Evaluation.TwoStageEvaluation.PairedDifference([0, 1, 0, 0], [1, 0, 0, 2]);
        Assert.Equal(0.5, mean, 12);
        Assert.Equal(Math.Sqrt(5.0 / 3) / 2, se, 12);
    }

    [Fact]
    public async Task RankingAskedOfAServerWithoutARankerIsA400()
    {
        var (host, data) = Models(withRanker: false);
        await using var service = await RunningService.Start(host, new GenRecServingOptions());
        using var response = await service.Client.PostAsJsonAsync("/recommend", new { user = data.UserKeys[1], stages = new { retrieve = 10, rank = true } }, RecommendationService.Json);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("field 'stages.rank': this server has no ranker", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
