using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GenRec.AspNetCore;
using GenRec.Checkpoints;
using GenRec.Configuration;
using GenRec.Data;
using GenRec.Data.Splits;
using GenRec.Evaluation;
using GenRec.Models.Tiger;
using GenRec.Serving;
using GenRec.Tests.Tiger;
using GenRec.Tests.Training;
using GenRec.Training;
using GenRec.Training.Tiger;

namespace GenRec.Tests.Serving;

/// <summary>One small TIGER run folder (planted transitions, 20 items), trained once for the generative serving tests.</summary>
public sealed class TrainedTiger : IDisposable
{
    private readonly TempDir dir = new();

    public TrainedTiger()
    {
        Data = TrainingTests.CycleDataset(users: 80, items: 20, seed: 9);
        var grd = Path.Combine(dir.Path, "cycle.grd");
        Datasets.Save(Data, grd);
        Data = Datasets.Load(grd);
        Ids = SemanticIdFile.Random(Data.NumItems, levels: 2, codebookSize: 4, seed: 1);
        Run = TigerTrainingTests.TinyRun(seed: 3, epochs: 12) with { Data = new DataConfig { Path = grd } };
        var folder = Path.Combine(dir.Path, "run");
        TigerTrainer.Run(Run, Data, Ids, folder, resume: false, new SilentObserver(), test: false);
        Checkpoint = Path.Combine(folder, "best.ckpt");
    }

    internal SequenceDataset Data { get; }

    internal int[][] Ids { get; }

    internal TigerRunConfig Run { get; }

    internal string Checkpoint { get; }

    internal string Folder => dir.Path;

    /// <summary>The checkpoint as the offline evaluation holds it: the model rebuilt from the run's config, the weights restored.</summary>
    internal TigerModel OfflineModel()
    {
        var model = new TigerModel(Run.Model, SemanticIdVocabulary.Of(Ids, Run.Model.UserBuckets));
        TigerCheckpoint.Restore(Checkpoint, model, null);
        model.eval();
        return model;
    }

    public void Dispose() => dir.Dispose();
}

/// <summary>
/// A TIGER checkpoint served (<see cref="GenerativeEngine"/>): its beams are the offline evaluation's, history filtering
/// equals beam search over a trie without the history's items, <c>/rank</c>'s scores are the beams' log-probabilities,
/// concurrent requests batched answer as alone, and bad beam widths are 400s naming the field.
/// </summary>
public class GenerativeServingTests(TrainedTiger tiger) : IClassFixture<TrainedTiger>
{
    private EvalCase[] TestCases() => [.. SequenceSplit.Create(tiger.Data, SplitKind.LeaveOneOut).Test.Take(12)];

    [Fact]
    public void ServedBeamsAreTheOfflineEvaluationsBeamsForTheSameCheckpointAndHistory()
    {
        using var engine = GenerativeEngine.Load(tiger.Checkpoint, new CheckpointOpenOptions { Dataset = tiger.Data });
        using var model = tiger.OfflineModel();
        var cases = TestCases();
        var offline = TigerTrainer.Generate(model, tiger.Ids, new SemanticIdTrie(tiger.Ids), cases, beams: 20, constrained: true);
        for (var c = 0; c < cases.Length; c++)
        {
            var served = engine.Recommend(cases[c].History, 10, filterHistory: false, user: cases[c].User);
            Assert.Equal(offline[c].Take(10).Select(g => g.Item), served.Select(r => r.Item));
            for (var i = 0; i < served.Count; i++)
            {
                Assert.Equal(offline[c][i].LogProbability, served[i].Score, 1e-4);
            }
        }

        // The model learned the planted transitions, so the comparison is between beams that mean something.
        Assert.True(TigerTrainer.Score(offline, cases)["recall@1"] > 0.5, $"recall@1 {TigerTrainer.Score(offline, cases)["recall@1"]}");
    }

    [Fact]
    public void HistoryFilteringGivesTheBeamsOfATrieWithoutTheHistorysItemsAndKOfThem()
    {
        using var engine = GenerativeEngine.Load(tiger.Checkpoint, new CheckpointOpenOptions { Dataset = tiger.Data });
        using var model = tiger.OfflineModel();
        foreach (var test in TestCases())
        {
            var history = test.History[^Math.Min(6, test.History.Length)..];
            var served = engine.Recommend(history, 10, filterHistory: true, user: test.User);
            var without = new SemanticIdTrie(tiger.Ids, item => !history.Contains(item));
            var input = model.Inputs(tiger.Ids, [(test.User, history)]);
            var expected = BeamSearch.Generate(model, input, without, 20, constrained: true)[0];
            Assert.Equal(expected.Take(10).Select(g => g.Item), served.Select(r => r.Item));
            Assert.Equal(expected.Take(10).Select(g => g.LogProbability), served.Select(r => r.Score), new FloatTolerance(1e-4f));
            Assert.Equal(10, served.Count);
            Assert.DoesNotContain(served, r => history.Contains(r.Item));
        }
    }

    [Fact]
    public void RankScoresEachCandidateByTheLogProbabilityABeamReachingItHas()
    {
        using var engine = GenerativeEngine.Load(tiger.Checkpoint, new CheckpointOpenOptions { Dataset = tiger.Data });
        var test = TestCases()[3];
        var beams = engine.Recommend(test.History, 15, filterHistory: false, user: test.User);
        var scores = engine.Rank(test.History, [.. beams.Select(b => b.Item).Reverse()], user: test.User);
        Assert.Equal(beams.Select(b => b.Score).Reverse(), scores, new FloatTolerance(1e-4f));

        // A probability distribution over IDs: every item's exp(score) sums to at most 1 (IDs naming no item take the rest).
        var all = engine.Rank(test.History, [.. Enumerable.Range(1, tiger.Data.NumItems)], user: test.User);
        Assert.InRange(all.Sum(s => Math.Exp(s)), 0.5, 1 + 1e-4);
    }

    [Fact]
    public async Task ConcurrentRequestsBatchedGetTheAnswersTheyGetAlone()
    {
        using var engine = GenerativeEngine.Load(tiger.Checkpoint, new CheckpointOpenOptions { Dataset = tiger.Data });
        var cases = TestCases();
        var sizes = new List<int>();
        engine.EnableBatching(8, TimeSpan.FromMilliseconds(30), (size, _) => { lock (sizes) { sizes.Add(size); } });
        var queries = cases.Select((c, i) => new RetrievalQuery(c.History, 5, FilterHistory: i % 2 == 0, User: c.User, Beams: i % 3 == 0 ? 12 : null)).ToArray();
        var batched = await Task.WhenAll(queries.Select(engine.RetrieveAsync));
        await engine.StopBatching();
        for (var i = 0; i < queries.Length; i++)
        {
            var alone = engine.Generate([new GenerativeEngine.BeamRequest(queries[i].History, queries[i].User, queries[i].Beams ?? 20, queries[i].FilterHistory)])[0].Take(5).ToArray();
            Assert.Equal(alone.Select(g => g.Item), batched[i].Select(r => r.Item));
            Assert.Equal(alone.Select(g => g.LogProbability), batched[i].Select(r => r.Score), new FloatTolerance(1e-4f));
        }

        Assert.Contains(sizes, size => size > 1);                                                // some requests really shared a search
    }

    [Fact]
    public async Task TheServiceAnswersWithBeamsAndRefusesBadBeamWidthsNamingTheField()
    {
        var host = ServedModels.Start(new GenRecServingOptions { Checkpoint = tiger.Checkpoint, MaxBeams = 30 }, (_, _) => { });
        var engine = Assert.IsType<GenerativeEngine>(host.Current.Engine);
        await using var service = await RunningService.Start(host, new GenRecServingOptions { Checkpoint = tiger.Checkpoint, MaxBeams = 30 });
        var client = service.Client;
        var history = tiger.Data.Sequences[5][..4];
        var keys = history.Select(i => tiger.Data.ItemKeys[i]).ToArray();

        var (status, answer) = await Post(client, "/recommend", new { history = keys, k = 5, beams = 12 });
        Assert.Equal(HttpStatusCode.OK, status);
        var expected = engine.Generate([new GenerativeEngine.BeamRequest(history, -1, 12, true)])[0].Take(5).ToArray();
        Assert.Equal(expected.Select(g => tiger.Data.ItemKeys[g.Item]), answer.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("item").GetString()));

        (status, answer) = await Post(client, "/rank", new { history = keys, candidates = expected.Select(g => tiger.Data.ItemKeys[g.Item]).ToArray() });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(expected.Select(g => g.LogProbability), answer.GetProperty("scores").EnumerateArray().Select(s => s.GetProperty("score").GetSingle()), new FloatTolerance(1e-4f));

        using var health = JsonDocument.Parse(await client.GetStringAsync("/health"));
        Assert.StartsWith("trie-constrained beam search", health.RootElement.GetProperty("index").GetString(), StringComparison.Ordinal);

        foreach (var (body, field) in new (object Body, string Field)[]
        {
            (new { history = keys, k = 5, beams = 0 }, "'beams'"),
            (new { history = keys, k = 5, beams = 31 }, "'beams'"),                            // past --max-beams
            (new { history = keys, k = 8, beams = 5 }, "'beams'"),                             // fewer beams than k
            (new { history = keys, k = 40 }, "'k'"),                                           // k needs more beams than allowed
            (new { history = keys, k = 5, stages = new { retrieve = 40, rank = false } }, "'stages.retrieve'"),
        })
        {
            (status, answer) = await Post(client, "/recommend", body);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains(field, answer.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        (status, answer) = await Post(client, "/catalog/withdraw", new { items = new[] { keys[0] } });
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("generative", answer.GetProperty("error").GetString(), StringComparison.Ordinal);
        await engine.StopBatching();                                                             // on by default for a generative model
        engine.Dispose();
    }

    [Fact]
    public async Task AReloadOfTheRunFolderServesTheSameBeamsUnderTheNextGeneration()
    {
        var host = ServedModels.Start(new GenRecServingOptions { Checkpoint = tiger.Checkpoint }, (_, _) => { });
        await using var service = await RunningService.Start(host, new GenRecServingOptions { Checkpoint = tiger.Checkpoint });
        var client = service.Client;
        var body = new { user = tiger.Data.UserKeys[2], k = 5 };
        var (_, before) = await Post(client, "/recommend", body);
        var first = host.Current.Engine;

        using var reload = await client.PostAsync("/reload", null);
        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        var (status, after) = await Post(client, "/recommend", body);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, after.GetProperty("model_generation").GetInt32());
        Assert.NotSame(first, host.Current.Engine);
        Assert.IsType<GenerativeEngine>(host.Current.Engine);
        Assert.Equal(before.GetProperty("items").ToString(), after.GetProperty("items").ToString());
        await host.Current.Engine.StopBatching();
    }

    [Fact]
    public async Task TwoStagesOverGenerativeRetrievalEqualRecommendThenRankThenSorting()
    {
        using var engine = GenerativeEngine.Load(tiger.Checkpoint, new CheckpointOpenOptions { Dataset = tiger.Data });
        TorchSharp.torch.manual_seed(5);
        var ranker = new RankingEngine(new GenRec.Models.Ranking.HstuRanker(new RankingConfig { EmbeddingDim = 16, MaxHistory = 16, NumBlocks = 1 }, tiger.Data.NumItems, numTasks: 1), GenRec.Models.Ranking.RankingTasks.Names(rated: false), tiger.Data, "ranker");
        var host = new ModelHost(engine, ranker, _ => throw new InvalidOperationException());
        await using var service = await RunningService.Start(host, new GenRecServingOptions());
        var client = service.Client;
        var user = tiger.Data.UserKeys[6];

        var (status, answer) = await Post(client, "/recommend", new { user, k = 4, stages = new { retrieve = 10, rank = true } });
        Assert.Equal(HttpStatusCode.OK, status);
        var (_, retrieved) = await Post(client, "/recommend", new { user, k = 10 });
        var keys = retrieved.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("item").GetString()!).ToArray();
        var (_, ranked) = await Post(client, "/rank", new { user, candidates = keys });
        var expected = ranked.GetProperty("scores").EnumerateArray().Select((s, i) => (Key: keys[i], Engage: s.GetProperty("tasks").GetProperty("engage").GetSingle(), Index: i))
            .OrderByDescending(x => x.Engage).ThenBy(x => x.Index).Take(4).ToArray();
        var items = answer.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(10, keys.Length);                                                           // the generated 10 of the server's default 20 beams
        Assert.Equal(expected.Select(e => e.Key), items.Select(i => i.GetProperty("item").GetString()));
        Assert.Equal(expected.Select(e => e.Engage), items.Select(i => i.GetProperty("score").GetSingle()), new FloatTolerance(1e-6f));
        Assert.All(items, i => Assert.Equal("rank", i.GetProperty("stage").GetString()));
        await engine.StopBatching();                                                             // on by default for a generative model
    }

    [Fact]
    public async Task BeamsForAModelServedFromAnIndexAreA400NamingTheField()
    {
        var data = TrainingTests.CycleDataset(users: 30, items: 25, seed: 2);
        TorchSharp.torch.manual_seed(5);
        using var retrieval = new RetrievalEngine(new GenRec.Models.SequentialRecommender(TrainingTests.SmallRun(1).Model, 25), data, IndexKind.Exact, "retrieval");
        var host = new ModelHost(retrieval, null, _ => throw new InvalidOperationException());
        await using var service = await RunningService.Start(host, new GenRecServingOptions());
        var (status, answer) = await Post(service.Client, "/recommend", new { user = data.UserKeys[1], k = 5, beams = 10 });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("field 'beams'", answer.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ARunFolderWithoutItsConfigOrItsTableIsAClearError()
    {
        using var dir = new TempDir();
        var checkpoint = Path.Combine(dir.Path, "best.ckpt");
        File.Copy(tiger.Checkpoint, checkpoint);
        var error = Assert.Throws<InvalidDataException>(() => GenerativeEngine.Load(checkpoint, new CheckpointOpenOptions { Dataset = tiger.Data }));
        Assert.Contains("config.json", error.Message, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(dir.Path, "config.json"), (tiger.Run with { SemanticIds = "nowhere.tsv" }).ToJson());
        var missing = Assert.Throws<FileNotFoundException>(() => GenerativeEngine.Load(checkpoint, new CheckpointOpenOptions { Dataset = tiger.Data }));
        Assert.Contains("nowhere.tsv", missing.Message, StringComparison.Ordinal);

        // A config claiming a far larger model than the weights: refused before the model is built.
        File.Copy(Path.Combine(Path.GetDirectoryName(tiger.Checkpoint)!, SemanticIdFile.RunFolderName), Path.Combine(dir.Path, SemanticIdFile.RunFolderName));
        File.WriteAllText(Path.Combine(dir.Path, "config.json"), (tiger.Run with { Model = tiger.Run.Model with { ModelDim = 4096, FfnDim = 16384 } }).ToJson());
        var bounds = Assert.Throws<InvalidDataException>(() => GenerativeEngine.Load(checkpoint, new CheckpointOpenOptions { Dataset = tiger.Data }));
        Assert.Contains("refused before building the model", bounds.Message, StringComparison.Ordinal);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> Post(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body, RecommendationService.Json);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }
}
