using System.Text.Json.Nodes;
using GenRec.Cli.Bench;
using GenRec.Checkpoints;
using GenRec.Configuration;

namespace GenRec.Tests.Cli;

/// <summary>
/// <c>genrec train --config</c> trains whatever kind the config names, with <c>--set</c> overrides; <c>genrec bench seeds</c>
/// runs a config once per seed, skips the seeds already done and writes the table over them.
/// </summary>
public class TrainCommandTests
{
    private static string Data(TempDir dir)
    {
        var random = new Random(5);
        dir.File("data/ratings.dat", string.Concat(Enumerable.Range(1, 50).SelectMany(u => Enumerable.Range(0, 7).Select(t => $"{u}::{1 + random.Next(20)}::{1 + random.Next(5)}::{(u * 100) + t}\n"))));
        return Path.Combine(dir.Path, "data");
    }

    private static Task<string> Genrec(TempDir dir, params string[] arguments) => GenrecProcess.Run(dir.Path, Path.Combine(dir.Path, "cache"), arguments);

    [Fact]
    public async Task TrainPicksTheTrainerByKindAndAppliesOverrides()
    {
        using var dir = new TempDir();
        var data = Data(dir);
        var ranking = dir.File("ranking.json", new RankingRunConfig
        {
            Data = new DataConfig { Path = data },
            Model = new RankingConfig { EmbeddingDim = 8, MaxHistory = 8, NumBlocks = 1, NumHeads = 2 },
            Train = new RankingTrainConfig { Epochs = 3 },
        }.ToJson());
        await Genrec(dir, "train", "--config", ranking, "--set", "name=tiny-ranker", "--set", "train.epochs=1", "--device", "cpu");
        var rankerRun = Path.Combine(dir.Path, "runs", "tiny-ranker");                  // the default run folder is runs/<name>, from --set
        Assert.Equal(CheckpointKind.Ranking, Checkpoint.KindOf(Path.Combine(rankerRun, "best.ckpt")));
        Assert.Single(File.ReadAllLines(Path.Combine(rankerRun, "metrics.jsonl")));    // 1 epoch, not the file's 3

        var retrieval = dir.File("retrieval.json", (GenRec.Tests.Training.TrainingTests.SmallRun(3) with { Data = new DataConfig { Path = data } }).ToJson());
        await Genrec(dir, "train", "--config", retrieval, "--epochs", "1", "--set", "model.encoder=hstu", "--out", "runs/r");
        var saved = JsonNode.Parse(File.ReadAllText(Path.Combine(dir.Path, "runs", "r", "config.json")))!;
        Assert.Equal("hstu", saved["model"]!["encoder"]!.GetValue<string>());
        Assert.Equal(1, saved["train"]!["epochs"]!.GetValue<int>());
        Assert.Equal(CheckpointKind.Retrieval, Checkpoint.KindOf(Path.Combine(dir.Path, "runs", "r", "last.ckpt")));
    }

    [Fact]
    public async Task SeedsRunsEachSeedOnceAndTabulatesThem()
    {
        using var dir = new TempDir();
        var data = Data(dir);
        var config = dir.File("tiny.json", (GenRec.Tests.Training.TrainingTests.SmallRun(1) with { Data = new DataConfig { Path = data } }).ToJson());
        string[] sweep = ["bench", "seeds", "--config", config, "--seeds", "1,2", "--model", "sasrec", "--out", Path.Combine(dir.Path, "runs"), "--results", Path.Combine(dir.Path, "results", "retrieval")];
        await Genrec(dir, sweep);
        var folder = Path.Combine(dir.Path, "results", "retrieval", "seeds", "tiny");
        Assert.Equal(new[] { "sasrec-data-seed1.json", "sasrec-data-seed2.json" }, Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        var table = JsonNode.Parse(File.ReadAllText(Path.Combine(dir.Path, "results", "retrieval", "seeds-tiny.json")))!;
        Assert.Equal(2, table["models"]![0]!["seeds"]!.AsArray().Count);
        var again = await Genrec(dir, sweep);                                            // done seeds are skipped, the table rewritten
        Assert.Contains("tiny seed 1: done", again);
        Assert.Contains("tiny seed 2: done", again);
    }

    [Fact]
    public async Task GridTrainsEachVariantAndRanksThemOnValidation()
    {
        using var dir = new TempDir();
        var data = Data(dir);
        var config = dir.File("tiny.json", (GenRec.Tests.Training.TrainingTests.SmallRun(1) with { Data = new DataConfig { Path = data } }).ToJson());
        var results = Path.Combine(dir.Path, "results", "retrieval");
        await Genrec(dir, "bench", "grid", "--config", config, "--variant", "base:", "--variant", "wide:model.embedding_dim=32,model.ffn_hidden_dim=32", "--out", Path.Combine(dir.Path, "runs"), "--results", results);
        var table = JsonNode.Parse(File.ReadAllText(Path.Combine(results, "grid-tiny.json")))!;
        var variants = table["variants"]!.AsArray();
        Assert.Equal(new[] { "base", "wide" }, variants.Select(v => v!["variant"]!.GetValue<string>()).Order());
        var ndcg = variants.Select(v => v!["validation"]!["ndcg@10"]!.GetValue<double>()).ToArray();
        Assert.True(ndcg[0] >= ndcg[1], "ranked by validation NDCG@10, best first");
        var wide = variants.Single(v => v!["variant"]!.GetValue<string>() == "wide")!["config"]!;
        Assert.Equal(32, wide["model"]!["embedding_dim"]!.GetValue<int>());                // the variant's own override
        Assert.Equal("test-wide", wide["name"]!.GetValue<string>());                       // named after the variant
        Assert.Contains("tiny wide: done", await Genrec(dir, "bench", "grid", "--config", config, "--variant", "wide:model.embedding_dim=32", "--out", Path.Combine(dir.Path, "runs"), "--results", results));
    }

    [Fact]
    public void SeedsAndGridVariantsParse()
    {
        Assert.Equal(new[] { 42, 43, 44 }, GenRec.Cli.Bench.BenchSeedsCommand.ParseSeeds("42, 43,44"));
        Assert.Contains("repeats", Assert.Throws<ArgumentException>(() => GenRec.Cli.Bench.BenchSeedsCommand.ParseSeeds("1,1")).Message);
        Assert.Contains("'x'", Assert.Throws<ArgumentException>(() => GenRec.Cli.Bench.BenchSeedsCommand.ParseSeeds("1,x")).Message);
        var (name, sets) = GenRec.Cli.Bench.BenchGridCommand.Parse("lists:train.milestones=[1,2],model.dropout=0.3");
        Assert.Equal("lists", name);
        Assert.Equal(new[] { "train.milestones=[1,2]", "model.dropout=0.3" }, sets);
        Assert.Empty(GenRec.Cli.Bench.BenchGridCommand.Parse("base:").Sets);
        Assert.Throws<ArgumentException>(() => GenRec.Cli.Bench.BenchGridCommand.Parse("Bad Name:x=1"));
    }
}
