using GenRec.Configuration;

namespace GenRec.Tests.Configuration;

/// <summary><c>--set key.path=value</c> merged onto a config file, read by the same strict parser; the config's <c>kind</c>; closed choices as enums.</summary>
public class ConfigOverridesTests
{
    private const string Retrieval = """
        {
          // a comment, as configs have
          "name": "x",
          "data": { "path": "data/set" },
          "model": { "encoder": "sasrec", "embedding_dim": 16 },
          "train": { "epochs": 3 },
        }
        """;

    [Fact]
    public void OverridesReplaceNestedValuesCreateObjectsAndKeepTheRest()
    {
        using var dir = new TempDir();
        var path = dir.File("run.json", Retrieval);
        var run = JsonConfig.Load<RunConfig>(path, ["train.epochs=5", "model.encoder=hstu", "model.dropout=0.25", "seed=9", "compute.precision=bf16", "llm_esr.alpha=0.5", "data.path=\"123\""]);
        Assert.Equal(5, run.Train.Epochs);
        Assert.Equal("hstu", run.Model.Encoder);                 // not JSON: a string
        Assert.Equal(0.25, run.Model.Dropout);
        Assert.Equal(9, run.Seed);
        Assert.Equal(Precision.Bf16, run.Compute.Precision);
        Assert.Equal(0.5, run.LlmEsr!.Alpha);                    // the missing object was created
        Assert.Equal("123", run.Data.Path);                      // a JSON string stays a string
        Assert.Equal(16, run.Model.EmbeddingDim);                // untouched
        Assert.Equal("x", run.Name);
        Assert.Equal(3, JsonConfig.Load<RunConfig>(path).Train.Epochs);   // the file itself is unchanged
    }

    [Fact]
    public void AnOverrideIsCheckedAsTheFileIs()
    {
        using var dir = new TempDir();
        var path = dir.File("run.json", Retrieval);
        var unknown = Assert.Throws<InvalidDataException>(() => JsonConfig.Load<RunConfig>(path, ["train.epochz=5"]));
        Assert.Contains("epochz", unknown.Message);
        Assert.Contains("--set train.epochz=5", unknown.Message);
        var choice = Assert.Throws<InvalidDataException>(() => JsonConfig.Load<RunConfig>(path, ["model.similarity=cosine"]));
        Assert.Contains("'cosine' is not a choice (available: dot, mol)", choice.Message);
        Assert.Contains("'name' is a string, not an object", Assert.Throws<ArgumentException>(() => JsonConfig.Load<RunConfig>(path, ["name.x.y=1"])).Message);
        Assert.Contains("key.path=value", Assert.Throws<ArgumentException>(() => JsonConfig.Load<RunConfig>(path, ["train.epochs"])).Message);
        Assert.Contains("empty key", Assert.Throws<ArgumentException>(() => JsonConfig.Load<RunConfig>(path, ["train..epochs=1"])).Message);
    }

    [Fact]
    public void ABadChoiceInAFileNamesLineFieldAndChoices()
    {
        using var dir = new TempDir();
        var path = dir.File("run.json", "{\n  \"train\": {\n    \"loss\": \"hinge\"\n  }\n}\n");
        var error = Assert.Throws<InvalidDataException>(() => JsonConfig.Load<RunConfig>(path));
        Assert.Contains($"{path}:3", error.Message);
        Assert.Contains("$.train.loss", error.Message);
        Assert.Contains("available: sampled_softmax, full_softmax, bce", error.Message);
    }

    [Fact]
    public void TheKindPicksTheRecordAndAnotherKindIsRefused()
    {
        using var dir = new TempDir();
        var written = dir.File("written.json", new RunConfig { Name = "w", Train = new TrainConfig { Epochs = 4, Loss = LossKind.FullSoftmax } }.ToJson());
        Assert.Contains("\"kind\": \"retrieval\"", File.ReadAllText(written));
        Assert.Contains("\"loss\": \"full_softmax\"", File.ReadAllText(written));
        var back = JsonConfig.Load<RunConfig>(written);                    // a written config reads back, kind included
        Assert.Equal(LossKind.FullSoftmax, back.Train.Loss);
        Assert.Equal(4, back.Train.Epochs);
        Assert.Equal(RunKind.Retrieval, JsonConfig.KindOf(written));
        Assert.Equal(RunKind.Retrieval, JsonConfig.KindOf(dir.File("plain.json", Retrieval)));     // no kind: retrieval

        var ranking = dir.File("ranking.json", new RankingRunConfig().ToJson());
        Assert.Equal(RunKind.Ranking, JsonConfig.KindOf(ranking));
        Assert.Equal("ranking", JsonConfig.Load<RankingRunConfig>(ranking).Name);
        Assert.Contains("a ranking config, read here as a retrieval config", Assert.Throws<InvalidDataException>(() => JsonConfig.Load<RunConfig>(ranking)).Message);
        Assert.Equal(RunKind.Tiger, JsonConfig.KindOf(ranking, ["kind=tiger"]));
        Assert.Contains("available: retrieval, ranking, tiger", Assert.Throws<InvalidDataException>(() => JsonConfig.KindOf(ranking, ["kind=dlrm"])).Message);
        Assert.Equal(RunKind.Retrieval, JsonConfig.KindOf(null));                                    // no file: the defaults
        Assert.Equal(new RunConfig().Train.Epochs, JsonConfig.Load<RunConfig>(null).Train.Epochs);
    }

    [Fact]
    public void ClosedChoicesParseOnceWithTheSameError()
    {
        Assert.Equal(NegativeSampling.LocalShared, ClosedChoice.Parse<NegativeSampling>("local_shared", "train.negatives"));
        Assert.Equal(new[] { "local", "local_shared", "in_batch" }, ClosedChoice.Names<NegativeSampling>());
        var error = Assert.Throws<ArgumentException>(() => ClosedChoice.Parse<AttentionDivisor>("MaxLength", "model.attention_divisor"));
        Assert.Equal("model.attention_divisor: 'MaxLength' is not a choice (available: max_length, user_length) (Parameter 'model.attention_divisor')", error.Message);
    }
}
