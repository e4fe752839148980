using GenRec.Scoring;
using GenRec.Checkpoints;
using GenRec.Configuration;
using GenRec.Data;
using GenRec.Data.Features;
using GenRec.Data.Preparation;
using GenRec.Data.Splits;
using GenRec.Models;
using GenRec.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Tests.Models;

/// <summary>User feature tokens and item categorical features (issue: side information in the sequence).</summary>
public sealed class SideInformationTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static ModelConfig Small(string encoder, FeatureConfig? features = null) => new()
    {
        Encoder = encoder, EmbeddingDim = 16, FfnHiddenDim = 16, MaxSequenceLength = 8, NumBlocks = 2, NumHeads = 1, Dropout = 0, Features = features,
    };

    private static readonly FeatureConfig TwoUserFeatures = new() { User = ["a", "b"], UserCardinalities = [3, 4] };

    [Fact]
    public void UnknownFeaturesLeaveTheItemStatesOfTheIdOnlyModelAndFeatureTokensAreNeverItemStates()
    {
        manual_seed(1);
        using var plain = new SequentialRecommender(Small("sasrec"), 20);
        using var withFeatures = new SequentialRecommender(Small("sasrec", TwoUserFeatures), 20);
        using (no_grad())
        {
            var target = withFeatures.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach (var (name, parameter) in plain.named_parameters())
            {
                target[name].copy_(parameter);
            }
        }

        plain.eval();
        withFeatures.eval();
        var ids = tensor(new long[] { 3, 4, 5, 0, 0, 7, 8, 9, 10, 11 }).view(2, 5);
        using var _ = no_grad();
        var expected = plain.forward(new SequenceInput(ids));                                        // [2, 5, D]
        var unknown = withFeatures.forward(new SequenceInput(ids, UserFeatures: zeros(2, 2, dtype: int64)));
        Assert.Equal(expected.shape, unknown.shape);                                                // item positions only
        Assert.True(expected.allclose(unknown, rtol: 1e-5, atol: 1e-6), "unknown (invalid) feature tokens must not change item states");

        // Known values are read: every valid item state changes.
        var known = withFeatures.forward(new SequenceInput(ids, UserFeatures: tensor(new long[] { 1, 2, 2, 3 }).view(2, 2)));
        Assert.Equal(expected.shape, known.shape);
        var changed = (known - expected).abs().sum(-1);                                             // [2, 5]
        Assert.True(changed[0, 0].item<float>() > 1e-4 && changed[1, 4].item<float>() > 1e-4);
    }

    [Theory]
    [InlineData("hstu")]
    [InlineData("gru4rec")]
    public void OtherCausalEncodersTakeFeatureTokensWithTimes(string encoder)
    {
        manual_seed(2);
        using var model = new SequentialRecommender(Small(encoder, TwoUserFeatures) with { RelativePositionBias = true }, 20);
        var ids = tensor(new long[] { 3, 4, 5, 6, 0, 0 }).view(2, 3);
        var times = tensor(new long[] { 100, 200, 300, 400, 100, 150, 0, 0 }).view(2, 4);
        var states = model.forward(new SequenceInput(ids, times, UserFeatures: tensor(new long[] { 1, 0, 2, 3 }).view(2, 2)));
        Assert.Equal([2L, 3L, 16L], states.shape);
        Assert.False(states.isnan().any().item<bool>());
        states.sum().backward();
        Assert.Contains(model.named_parameters(), p => p.name.Contains("userTokens", StringComparison.Ordinal) && p.parameter.grad is { } g && g.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void AUserWithoutItemsIsQueriedFromTheLastFeatureTokenAndWithItemsFromTheLastItem()
    {
        manual_seed(6);
        using var model = new SequentialRecommender(Small("sasrec", TwoUserFeatures), 20);
        model.eval();
        using var _ = no_grad();
        var ids = tensor(new long[] { 0, 0, 0, 3, 4, 5 }).view(2, 3);                          // an empty history, and 3 items
        var features = tensor(new long[] { 1, 2, 1, 2 }).view(2, 2);
        var query = model.QueryStates(new SequenceInput(ids, UserFeatures: features), tensor(new long[] { 0, 3 }));
        Assert.False(query.isnan().any().item<bool>());
        var items = model.forward(new SequenceInput(ids, UserFeatures: features));             // [2, 3, D]
        Assert.True(query[1].allclose(items[1, 2], atol: 1e-6));                                // the last item's state
        var other = model.QueryStates(new SequenceInput(ids, UserFeatures: tensor(new long[] { 2, 3, 1, 2 }).view(2, 2)), tensor(new long[] { 0, 3 }));
        Assert.False(query[0].allclose(other[0], atol: 1e-4));                                  // with no item, the features decide

        var cases = EvalCases.HistoryPrefix([new EvalCase(0, [5, 6, 7], 8, [1, 2, 3], 4, [1f, 2f, 3f])], 1);
        Assert.Equal([5], cases[0].History);
        Assert.Equal([1L], cases[0].HistoryTimestamps!);
        Assert.Equal([1f], cases[0].HistoryRatings!);
        Assert.Equal(8, cases[0].Target);
        Assert.Empty(EvalCases.HistoryPrefix(cases, 0)[0].History);
    }

    [Fact]
    public void WithInterleavedRatingTokensTheQueryIsTheStateThatPredictsTheNextItem()
    {
        // The scorer queries every model through QueryStates; with two tokens per item (no feature tokens: refused there)
        // it must read the state after the last item's rating token, the one forward returns for that item.
        manual_seed(7);
        using var model = new SequentialRecommender(Small("hstu") with { Preprocessor = PreprocessorKind.Interleaved }, 20);
        model.eval();
        using var _ = no_grad();
        var ids = tensor(new long[] { 3, 4, 0, 5, 6, 7 }).view(2, 3);
        var ratings = tensor(new long[] { 4, 5, 0, 1, 3, 5 }).view(2, 3);                          // rating levels
        var input = new SequenceInput(ids, Ratings: ratings);
        var items = model.forward(input);                                                           // [2, 3, D]: one state per item
        Assert.Equal([2L, 3L, 16L], items.shape);
        var query = model.QueryStates(input, tensor(new long[] { 2, 3 }));
        Assert.True(query[0].allclose(items[0, 1], atol: 1e-6));
        Assert.True(query[1].allclose(items[1, 2], atol: 1e-6));
    }

    [Fact]
    public void FeatureTokensAreRefusedWhereTheyCannotGo()
    {
        Assert.Throws<ArgumentException>(() => new SequentialRecommender(Small("bert4rec", TwoUserFeatures), 20));
        Assert.Throws<ArgumentException>(() => new SequentialRecommender(Small("sasrec", new FeatureConfig { User = ["a"] }), 20)); // sizes not resolved
    }

    [Fact]
    public void ItemFeaturesJoinTheItemEmbeddingForInputsAndScoring()
    {
        var log = new InteractionLog("t", false, false);
        foreach (var (u, i) in new[] { ("1", "10"), ("1", "11"), ("1", "12"), ("2", "12"), ("2", "13") })
        {
            log.Add(u, i);
        }

        var meta = new Dictionary<string, ItemMetadata>
        {
            ["10"] = new("a", ["Drama", "War"]), ["11"] = new("b", ["Drama"]), ["12"] = new("c", ["War"]), ["13"] = new("d", ["Drama"]),
        };
        var data = DatasetPreparer.Prepare("t", log, new PrepareOptions(), meta, "test");
        var map = ItemFeatureMap.From(data, "category");
        Assert.Equal(["<none>", "Drama", "War"], map.Vocabulary);
        Assert.Equal(2, map.Width);
        Assert.Equal([1, 2], map.Values[data.ItemIds["10"]]);
        Assert.Equal([0, 0], map.Values[0]);

        foreach (var mode in new[] { "sum", "categorical" })
        {
            manual_seed(3);
            using var model = new SequentialRecommender(Small("sasrec", new FeatureConfig { Item = "category", ItemMode = ClosedChoice.Parse<ItemFeatureMode>(mode, "item_mode"), ItemCardinality = 3, ItemWidth = 2 }), data.NumItems);
            model.LoadItemFeatures(map.Values);
            using var _ = no_grad();
            var all = model.AllItemEmbeddings();                                                     // [I + 1, D]
            var some = model.EmbedItems(tensor(new long[] { 1, 2, 3, 4 }));
            Assert.True(all.narrow(0, 1, 4).allclose(some, atol: 1e-6), mode);
            var drama = (data.ItemIds["11"], data.ItemIds["13"]);
            var sameCategory = all[drama.Item1].allclose(all[drama.Item2], atol: 1e-6);
            Assert.Equal(mode == "categorical", sameCategory); // categorical: the item is its category
        }
    }

    // Every user walks the cycle 1..M from a random start with the step their feature says (1 or 2). From one item the
    // next is start + step: only the feature tells which.
    private static SequenceDataset PlantedStepData(int users = 240, int items = 24)
    {
        var rng = new Random(5);
        var log = new InteractionLog("planted", false, false);
        var raw = new Dictionary<string, string[]>();
        for (var u = 0; u < users; u++)
        {
            var step = 1 + (u % 2);
            raw[$"u{u}"] = [$"step{step}"];
            var item = rng.Next(items);
            for (var t = 0; t < 10; t++)
            {
                log.Add($"u{u}", $"{(item % items) + 1}");
                item += step;
            }
        }

        var data = DatasetPreparer.Prepare("planted", log, new PrepareOptions(), null, "test");
        data.UserFeatures = UserFeatureTable.Build(["step"], raw, data.UserKeys);
        return data;
    }

    [Fact]
    public void AFeatureAwareModelLearnsWhatOnlyTheFeatureTellsAndTheIdOnlyModelCannot()
    {
        var data = PlantedStepData();
        var table = data.UserFeatures!;
        double HitRateAtOne(FeatureConfig? features)
        {
            using var dir = new TempDir();
            var config = Training.TrainingTests.SmallRun(15) with { Model = Training.TrainingTests.SmallRun(1).Model with { Features = features } };
            var result = Trainer.Run(config, data, dir.Path);
            var (model, header) = RetrievalCheckpoint.LoadModel(result.Checkpoint);
            Assert.Equal(features is null ? null : new[] { 3 }, header.Config.Model.Features?.UserCardinalities?.ToArray()); // resolved from the data, kept
            // One-item histories of new users: the next item is item + step.
            var cases = Enumerable.Range(1, data.NumItems).SelectMany(item => new[] { 1, 2 }.Select(step =>
            {
                var key = data.ItemKeys[item];
                var next = ((int.Parse(key) - 1 + step) % data.NumItems) + 1;
                return new EvalCase(-1, [item], data.ItemIds[$"{next}"], UserFeatures: table.Encode(new Dictionary<string, string> { ["step"] = $"step{step}" }));
            })).ToArray();
            var metrics = GenRec.Evaluation.Evaluator.Evaluate(new ModelScorer(model, table), cases, new GenRec.Evaluation.EvalOptions { Ks = [1] }).Metrics;
            model.Dispose();
            return metrics["hr@1"];
        }

        var aware = HitRateAtOne(new FeatureConfig { User = ["step"] });
        var idOnly = HitRateAtOne(null);
        output.WriteLine($"hr@1 from one item: feature-aware {aware:F3}, id-only {idOnly:F3}");
        Assert.True(aware > 0.9, $"feature-aware hr@1 {aware}");
        Assert.True(idOnly < 0.6, $"id-only hr@1 {idOnly} (at best one of the two steps)");
    }

    // Every user takes 10 items from the half of the catalogue their feature names, item r of the half (0-based) with
    // probability proportional to 1 / (r + 1), in random order: the sequence says little, the feature and popularity a lot.
    private static SequenceDataset PlantedHalvesData(int users = 240, int half = 12)
    {
        var rng = new Random(11);
        var weights = Enumerable.Range(0, half).Select(r => 1.0 / (r + 1)).ToArray();
        var log = new InteractionLog("halves", false, false);
        var raw = new Dictionary<string, string[]>();
        for (var u = 0; u < users; u++)
        {
            raw[$"u{u}"] = [$"half{u % 2}"];
            for (var t = 0; t < 10; t++)
            {
                var x = rng.NextDouble() * weights.Sum();
                var r = 0;
                while (r < half - 1 && (x -= weights[r]) > 0)
                {
                    r++;
                }

                log.Add($"u{u}", $"{((u % 2) * half) + r + 1}");
            }
        }

        var data = DatasetPreparer.Prepare("halves", log, new PrepareOptions(), null, "test");
        data.UserFeatures = UserFeatureTable.Build(["half"], raw, data.UserKeys);
        return data;
    }

    [Fact]
    public void TheColdStartQueryLearnsWhatUsersWithAFeatureTakeAndLeavesTheSequenceModelAsItWas()
    {
        var data = PlantedHalvesData();
        var table = data.UserFeatures!;
        (SequentialRecommender Model, long[][] TopItems) Train(bool coldStartQuery)
        {
            using var dir = new TempDir();
            var config = Training.TrainingTests.SmallRun(15) with { Model = Training.TrainingTests.SmallRun(1).Model with { Features = new FeatureConfig { User = ["half"], ColdStartQuery = coldStartQuery } } };
            var result = Trainer.Run(config, data, dir.Path);
            var (model, header) = RetrievalCheckpoint.LoadModel(result.Checkpoint);
            Assert.Equal(coldStartQuery, header.Config.Model.Features!.ColdStartQuery);
            Assert.Equal(coldStartQuery, model.ColdStart is not null);
            // New users with no item, one per half: their ranking of the whole catalogue.
            var cases = new[] { 0, 1 }.Select(h => new EvalCase(-1, [], 1, UserFeatures: table.Encode(new Dictionary<string, string> { ["half"] = $"half{h}" }))).ToArray();
            using var _ = no_grad();
            var scores = model.ScoreAll(new ModelScorer(model, table).UserStates(cases));               // [2, I + 1]
            scores[.., 0] = float.NegativeInfinity;
            var top = scores.argsort(1, descending: true);
            return (model, [.. Enumerable.Range(0, 2).Select(h => top[h].data<long>().ToArray())]);
        }

        var (withQuery, top) = Train(coldStartQuery: true);
        var (without, topWithout) = Train(coldStartQuery: false);
        for (var h = 0; h < 2; h++)
        {
            var keys = top[h].Take(12).Select(i => int.Parse(data.ItemKeys[i])).ToArray();
            var keysWithout = topWithout[h].Take(12).Select(i => int.Parse(data.ItemKeys[i])).ToArray();
            output.WriteLine($"half {h}, features only: with the cold-start query [{string.Join(" ", keys)}]; from the last feature token [{string.Join(" ", keysWithout)}]");
            Assert.All(keys, k => Assert.InRange(k, (h * 12) + 1, (h * 12) + 12));                    // the half the feature names
            Assert.Equal([(h * 12) + 1, (h * 12) + 2], keys.Take(2));                                   // its most taken items first
            Assert.Contains((h * 12) + 3, keys.Take(4));                                                 // (the last feature token's: 1 2 5 11)
        }

        // The query's loss reaches nothing else: every other parameter ends where it does without the query.
        var trained = without.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var shared = withQuery.named_parameters().Where(p => !p.name.StartsWith("coldStart", StringComparison.Ordinal)).ToArray();
        Assert.Equal(trained.Count, shared.Length);
        Assert.All(shared, p => Assert.Equal(0f, (p.parameter - trained[p.name]).abs().max().item<float>()));
        withQuery.Dispose();
        without.Dispose();
    }
}

/// <summary>Serving a model with user feature tokens: stored features for known users, request features for unseen ones.</summary>
public sealed class SideInformationServingTests
{
    [Fact]
    public async Task KnownUsersUseTheirStoredFeaturesAndUnseenUsersTheRequestsOnes()
    {
        var log = new InteractionLog("f", false, false);
        var raw = new Dictionary<string, string[]>();
        for (var u = 0; u < 6; u++)
        {
            raw[$"{u}"] = [u % 2 == 0 ? "F" : "M"];
            foreach (var i in new[] { 1, 2, 3, 4 }.Select(i => ((i + u) % 8) + 1))
            {
                log.Add($"{u}", $"{i}");
            }
        }

        var data = DatasetPreparer.Prepare("f", log, new PrepareOptions(), null, "test");
        data.UserFeatures = UserFeatureTable.Build(["gender"], raw, data.UserKeys);
        manual_seed(4);
        var config = new ModelConfig { EmbeddingDim = 16, FfnHiddenDim = 16, MaxSequenceLength = 8, NumBlocks = 1, Dropout = 0, Features = new FeatureConfig { User = ["gender"], UserCardinalities = [3] } };
        using var engine = new GenRec.Serving.RetrievalEngine(new SequentialRecommender(config, data.NumItems), data, IndexKind.Exact, "features");
        var user = data.UserIds["0"];
        var history = data.Sequences[user];
        var stored = await engine.RecommendForUserAsync(user, 3);
        Assert.Equal(stored.Select(r => r.Score), engine.Recommend(history, 3, user: user).Select(r => r.Score));
        var asFemale = engine.Recommend(history, 3, userFeatures: engine.EncodeUserFeatures(new Dictionary<string, string> { ["gender"] = "F" }));
        Assert.Equal(stored.Select(r => r.Score), asFemale.Select(r => r.Score));
        var unknown = engine.Recommend(history, 3);
        Assert.NotEqual(stored.Select(r => r.Score), unknown.Select(r => r.Score));

        var host = new GenRec.AspNetCore.ModelHost(engine, null, _ => throw new InvalidOperationException());
        await using var service = await GenRec.Tests.Serving.RunningService.Start(host, new GenRec.AspNetCore.GenRecServingOptions());
        async Task<(System.Net.HttpStatusCode, string)> Post(object body)
        {
            using var response = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(service.Client, "/recommend", body, GenRec.AspNetCore.RecommendationService.Json);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var historyKeys = history.Select(i => data.ItemKeys[i]).ToArray();
        var (ok, body) = await Post(new { history = historyKeys, k = 3, user_features = new Dictionary<string, string> { ["gender"] = "F" } });
        Assert.Equal(System.Net.HttpStatusCode.OK, ok);
        var first = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("items")[0];
        Assert.Equal(stored[0].Key, first.GetProperty("item").GetString());
        Assert.Equal(stored[0].Score, first.GetProperty("score").GetSingle(), 1e-5);
        var (badName, error) = await Post(new { history = historyKeys, user_features = new Dictionary<string, string> { ["shoe"] = "42" } });
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, badName);
        Assert.Contains("user_features", error);
        var (both, _) = await Post(new { user = "0", user_features = new Dictionary<string, string> { ["gender"] = "F" } });
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, both);
    }

    [Fact]
    public async Task AnUnseenUserWithNoItemIsAnsweredByTheColdStartQueryOfTheRequestsFeatures()
    {
        var log = new InteractionLog("f", false, false);
        for (var u = 0; u < 4; u++)
        {
            foreach (var i in new[] { 1, 2, 3 }.Select(i => ((i + u) % 8) + 1))
            {
                log.Add($"{u}", $"{i}");
            }
        }

        var data = DatasetPreparer.Prepare("f", log, new PrepareOptions(), null, "test");
        data.UserFeatures = UserFeatureTable.Build(["gender"], Enumerable.Range(0, 4).ToDictionary(u => $"{u}", u => new[] { u % 2 == 0 ? "F" : "M" }), data.UserKeys);
        manual_seed(5);
        var config = new ModelConfig { EmbeddingDim = 16, FfnHiddenDim = 16, MaxSequenceLength = 8, NumBlocks = 1, Dropout = 0, Features = new FeatureConfig { User = ["gender"], UserCardinalities = [3], ColdStartQuery = true } };
        var model = new SequentialRecommender(config, data.NumItems);
        using (no_grad())
        {
            foreach (var p in model.ColdStart!.parameters())
            {
                p.normal_(0, 1);                                                                    // a query that says something
            }
        }

        using var engine = new GenRec.Serving.RetrievalEngine(model, data, IndexKind.Exact, "features");
        var female = engine.EncodeUserFeatures(new Dictionary<string, string> { ["gender"] = "F" })!;
        Tensor expected;
        using (no_grad())
        {
            expected = model.ScoreAll(model.ColdStart.forward(tensor(female.Select(v => (long)v).ToArray()).view(1, -1)))[0, 1..]; // [I]
        }

        var top = engine.Recommend([], 3, userFeatures: female);
        Assert.Equal(expected.topk(3).indexes.data<long>().Select(i => data.ItemKeys[(int)i + 1]), top.Select(r => r.Key));
        Assert.Equal(expected.topk(3).values.data<float>().ToArray(), top.Select(r => r.Score), new FloatTolerance(1e-4f));
        var male = engine.Recommend([], 3, userFeatures: engine.EncodeUserFeatures(new Dictionary<string, string> { ["gender"] = "M" }));
        Assert.NotEqual(top.Select(r => r.Score), male.Select(r => r.Score));                   // the features decide

        var host = new GenRec.AspNetCore.ModelHost(engine, null, _ => throw new InvalidOperationException());
        await using var service = await GenRec.Tests.Serving.RunningService.Start(host, new GenRec.AspNetCore.GenRecServingOptions());
        using var response = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(service.Client, "/recommend",
            new { history = Array.Empty<string>(), k = 3, user_features = new Dictionary<string, string> { ["gender"] = "F" } }, GenRec.AspNetCore.RecommendationService.Json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(top[0].Key, System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("items")[0].GetProperty("item").GetString());
        using var bare = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(service.Client, "/recommend", new { history = Array.Empty<string>(), k = 3 }, GenRec.AspNetCore.RecommendationService.Json);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bare.StatusCode);                       // no item and no feature: nothing to answer from
        Assert.Contains("user_features", await bare.Content.ReadAsStringAsync());
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
