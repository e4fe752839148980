using System.Text.Json.Nodes;
using GenRec.Cli.Bench;

namespace GenRec.Tests.Cli;

/// <summary>
/// The experiment commands that replaced the bench scripts: <c>bench tiger</c> runs its chain as child processes and
/// resumes; the sweeps they plan, the statistics they print and the arms they start are the ones the scripts had.
/// </summary>
public class BenchOrchestrationTests
{
    [Fact]
    public async Task BenchTigerRunsFloorsTigerAndRandomIdsThenResumesToTheSameFigures()
    {
        using var dir = new TempDir();
        var random = new Random(5);
        dir.File("data/ratings.dat", string.Concat(Enumerable.Range(1, 200).SelectMany(u => Enumerable.Range(0, 8).Select(t => $"{u}::{1 + random.Next(100)}::4::{(u * 100) + t}\n"))));
        dir.File("configs/tiny-tiger.json", """
            { "kind": "tiger", "name": "tiny-tiger", "seed": 42, "data": { "path": "data" },
              "model": { "encoder_layers": 1, "decoder_layers": 1, "num_heads": 2, "head_dim": 8, "model_dim": 16, "ffn_dim": 32, "max_history": 5, "user_buckets": 10 },
              "train": { "batch_size": 64, "warmup_steps": 5, "epochs": 2, "steps_per_epoch": 3, "patience": 0, "beams": 5, "max_validation_users": 20 } }
            """);
        // A semantic ID table already in the runs folder (as a first run leaves it): three distinct codes per item.
        dir.File("runs/ids/tiny-letter.tsv", "item\tc1\tc2\tc3\tc4\n" + string.Concat(Enumerable.Range(1, 100).Select(i => $"{i}\t{i % 7}\t{i / 7 % 16}\t{i % 5}\t0\n")));

        var first = await GenrecProcess.Run(dir.Path, Path.Combine(dir.Path, "cache"), "bench", "tiger", "tiny", "--ids", "letter", "--runs", "runs");
        var tiger = Path.Combine(dir.Path, "bench", "results", "tiger", "tiger-letter-data.json");
        Assert.True(File.Exists(Path.Combine(dir.Path, "bench", "results", "floors", "transitions-unfiltered-tiny.json")), first);
        Assert.True(File.Exists(Path.Combine(dir.Path, "bench", "results", "tiger", "tiger-random-ids-data.json")), first);
        Assert.True(File.Exists(Path.Combine(dir.Path, "runs", "tiger-tiny-letter", "last.ckpt")), first);
        Assert.DoesNotContain("text embed", first, StringComparison.Ordinal);   // the table existed: no vectors, no RQ-VAE
        var metrics = JsonNode.Parse(File.ReadAllText(tiger))!["metrics"]!.ToJsonString();

        // Again: every run folder is resumed where it ended, so the figures are the same.
        await GenrecProcess.Run(dir.Path, Path.Combine(dir.Path, "cache"), "bench", "tiger", "tiny", "--ids", "letter", "--runs", "runs");
        Assert.Equal(metrics, JsonNode.Parse(File.ReadAllText(tiger))!["metrics"]!.ToJsonString());
    }

    [Fact]
    public async Task ProductQuantisedIdsFromTextOrCoOccurrenceTrainAParallelCodeModel()
    {
        using var dir = new TempDir();
        var random = new Random(4);
        const int items = 60;
        dir.File("data/ratings.dat", string.Concat(Enumerable.Range(1, 120).SelectMany(u => Enumerable.Range(0, 8).Select(t => $"{u}::{1 + random.Next(items)}::4::{(u * 100) + t}\n"))));
        GenRec.Util.NpyFile.Write(Path.Combine(dir.Path, "text.npy"), [.. Enumerable.Range(0, (items + 1) * 8).Select(i => (float)Math.Sin(i * 0.37))], items + 1, 8);
        dir.File("configs/tiny-rpg.json", """
            { "kind": "tiger", "name": "tiny-rpg", "seed": 42, "data": { "path": "data" },
              "model": { "architecture": "parallel_codes", "encoder_layers": 0, "decoder_layers": 1, "num_heads": 2, "head_dim": 8, "model_dim": 16, "ffn_dim": 32, "max_history": 5, "graph_edges": 8 },
              "train": { "batch_size": 32, "warmup_steps": 5, "epochs": 2, "patience": 0, "beams": 5, "max_validation_users": 20 } }
            """);

        var (exit, refused) = await GenrecProcess.RunToEnd(dir.Path, Path.Combine(dir.Path, "cache"), "semantic-ids", "data", "--pq", "4", "--out", "none.tsv");
        Assert.NotEqual(0, exit);
        Assert.Contains("--pq quantises item vectors", refused, StringComparison.Ordinal);
        await GenrecProcess.Run(dir.Path, Path.Combine(dir.Path, "cache"), "semantic-ids", "data", "--collaborative", "8", "--pq", "4", "--out", "cooccurrence.tsv");
        Assert.InRange(File.ReadLines(Path.Combine(dir.Path, "cooccurrence.tsv")).First().Split('\t').Length, 5, 6);   // item, 4 codes (and a collision code)
        var coded = await GenrecProcess.Run(dir.Path, Path.Combine(dir.Path, "cache"), "semantic-ids", "data", "--embeddings", "text.npy", "--pq", "4", "--pq-dim", "8", "--out", "pq.tsv");
        Assert.Contains("PCA 8, 4 subspaces x 256 codes", coded, StringComparison.Ordinal);

        var trained = await GenrecProcess.Run(dir.Path, Path.Combine(dir.Path, "cache"), "tiger", "train", "--config", "configs/tiny-rpg.json", "--semantic-ids", "pq.tsv", "--tag", "rpg", "--out", "runs/rpg", "--results", "out");
        var result = JsonNode.Parse(File.ReadAllText(Path.Combine(dir.Path, "out", "tiger-rpg-data.json")))!;
        Assert.Equal(0, result["metrics"]!["invalid_id_share"]!.GetValue<double>());
        Assert.True(result["training"]!["extra"]!["flops_per_target"]!.GetValue<double>() > 0, trained);
    }

    [Fact]
    public async Task TigerColdItemsChainCodesTheColdItemsAfterTrainingAndTestsThemApart()
    {
        using var dir = new TempDir();
        var random = new Random(3);
        dir.File("data/ratings.dat", string.Concat(Enumerable.Range(1, 150).SelectMany(u => Enumerable.Range(0, 8).Select(t => $"{u}::{1 + random.Next(60)}::4::{(u * 100) + t}\n"))));
        dir.File("rq.json", """{ "hidden_dims": [16], "latent_dim": 4, "levels": 2, "codebook_size": 4, "epochs": 3, "batch_size": 32 }""");
        dir.File("configs/tiny-tiger.json", """
            { "kind": "tiger", "name": "tiny-tiger", "seed": 42, "data": { "path": "data", "cold_item_share": 0.2 },
              "model": { "encoder_layers": 1, "decoder_layers": 1, "num_heads": 2, "head_dim": 8, "model_dim": 16, "ffn_dim": 32, "max_history": 5, "user_buckets": 10 },
              "train": { "batch_size": 64, "warmup_steps": 5, "epochs": 2, "steps_per_epoch": 3, "patience": 0, "beams": 5, "max_validation_users": 20 } }
            """);
        var items = 60;
        GenRec.Util.NpyFile.Write(Path.Combine(dir.Path, "text.npy"), [.. Enumerable.Range(0, (items + 1) * 6).Select(i => (float)Math.Sin(i * 0.7))], items + 1, 6);

        // Only text codes a new item: co-occurrence vectors would read the cold items' interactions.
        var (exit, refused) = await GenrecProcess.RunToEnd(dir.Path, Path.Combine(dir.Path, "cache"), "semantic-ids", "data", "--collaborative", "4", "--cold-item-share", "0.2", "--out", "ids.tsv");
        Assert.NotEqual(0, exit);
        Assert.Contains("--cold-item-share codes the cold items from their text", refused, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir.Path, "ids.tsv")));

        var coded = await GenrecProcess.Run(dir.Path, Path.Combine(dir.Path, "cache"), "semantic-ids", "data", "--embeddings", "text.npy", "--config", "rq.json", "--cold-item-share", "0.2", "--cold-seed", "42", "--out", "ids.tsv");
        Assert.Contains("cold items (seed 42) left out, coded afterwards by the frozen model", coded, StringComparison.Ordinal);
        var trained = await GenrecProcess.Run(dir.Path, Path.Combine(dir.Path, "cache"), "tiger", "train", "--config", "configs/tiny-tiger.json", "--semantic-ids", "ids.tsv", "--cold-items", "text.npy", "--tag", "cold-items", "--out", "runs/tiger", "--results", "out");
        var result = JsonNode.Parse(File.ReadAllText(Path.Combine(dir.Path, "out", "tiger-cold-items-data.json")))!;
        var cold = result["cold_items"]!;
        Assert.True(cold["cold_items"]!.GetValue<int>() > 0, trained);
        Assert.Equal(0, cold["arms"]!["tiger-closed-trie"]!["cold"]!["hr@10"]!.GetValue<double>());  // beams over the trained items never name a cold one
        foreach (var arm in new[] { "tiger-extended-trie", "tiger-cold-start-rule-eps0.1", "tiger-cold-start-rule-1codes-eps0.1", "text-knn", "most-popular", "random" })
        {
            Assert.NotNull(cold["arms"]![arm]);
        }
    }

    [Fact]
    public void LlmEsrSweepPlansEachBackboneWithAndWithoutThenTheAblations()
    {
        var plan = BenchLlmEsrCommand.Plan("beauty", [42, 43], ["sasrec"], BenchLlmEsrCommand.SelectAblations("no-pca,pca-ids"), "v.npy", "res", epochs: 10);
        Assert.Equal(
            ["llm-esr-sasrec-beauty-seed42", "sasrec-beauty-seed42", "llm-esr-sasrec-beauty-seed43", "sasrec-beauty-seed43",
             "llm-esr-sasrec-no-pca-beauty-seed42", "llm-esr-sasrec-no-pca-beauty-seed43", "sasrec-pca-ids-beauty-seed42", "sasrec-pca-ids-beauty-seed43"],
            plan.Select(j => Path.GetFileNameWithoutExtension(j.Result)));
        var backbone = string.Join(' ', plan[1].Arguments);
        Assert.Contains("--without-llm-esr", backbone, StringComparison.Ordinal);
        Assert.Contains("--seed 42 --tag seed42", backbone, StringComparison.Ordinal);
        Assert.Contains("--epochs 10", backbone, StringComparison.Ordinal);
        Assert.EndsWith(Path.Combine("runs", "llm-esr", "beauty", "sasrec-seed42"), backbone, StringComparison.Ordinal);
        Assert.Contains("--set model.semantic_view.fusion=id --set llm_esr.alpha=0 --set llm_esr.beta=0", string.Join(' ', plan[6].Arguments), StringComparison.Ordinal);
        Assert.Equal(6, BenchLlmEsrCommand.SelectAblations("all").Length);
        Assert.Empty(BenchLlmEsrCommand.SelectAblations(null));
        Assert.Contains("available: all, concat", Assert.Throws<ArgumentException>(() => BenchLlmEsrCommand.SelectAblations("concat,nope")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EpochColumnsPicksTheFirstBestTestEpochAndSpreadsOverSeeds()
    {
        using var dir = new TempDir();
        var curve = dir.File("metrics.jsonl", """
            {"epoch": 1, "test": {"hr@10": 0.2, "ndcg@10": 0.1}}
            {"epoch": 2, "validation": {"hr@10": 0.9}}
            {"epoch": 3, "test": {"hr@10": 0.3, "ndcg@10": 0.15}}
            {"epoch": 4, "test": {"hr@10": 0.3, "ndcg@10": 0.2}}

            """);
        var (epoch, test) = BenchEpochColumnsCommand.BestTestEpoch(curve);
        Assert.Equal(3, epoch);
        Assert.Equal(0.15, test["ndcg@10"]);
        // mean 0.2, sample sd sqrt(((0.1)^2 + 0 + (0.1)^2) / 2) = 0.1
        Assert.Equal("0.2000 ± 0.1000", BenchEpochColumnsCommand.Spread([0.1, 0.2, 0.3]));
        Assert.Equal("0.5000 ± NaN", BenchEpochColumnsCommand.Spread([0.5]));
        var untested = dir.File("untested.jsonl", "{\"epoch\": 1}\n");
        Assert.Contains("test_every_epoch", Assert.Throws<InvalidDataException>(() => BenchEpochColumnsCommand.BestTestEpoch(untested)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SpeedComparisonsReadTheirRatesAndTakeMedians()
    {
        Assert.Equal(2.0, BenchToolSpeedCommand.Median([3.0, 1.0, 2.0]));
        Assert.Equal(2.5, BenchToolSpeedCommand.Median([4.0, 1.0, 2.0, 3.0]));
        Assert.Equal(1752.4, BenchToolSpeedCommand.SampleRate(["loading", "trained 30 epochs at 1752.4 sequences/s: test hr@10 0.1000"]));
        Assert.Throws<InvalidDataException>(() => BenchToolSpeedCommand.SampleRate(["nothing"]));
        using var dir = new TempDir();
        var metrics = dir.File("m.jsonl", "{\"epoch\": 1, \"samples_per_second\": 12.345}\n{\"epoch\": 2, \"samples_per_second\": 20.06}\n");
        Assert.Equal([12.3, 20.1], BenchTigerSpeedCommand.IntervalRates(metrics));
        Assert.Equal("letter-no-collision-input", BenchTigerCommand.Tag("letter", null, "no-collision-input"));
        Assert.Null(BenchTigerCommand.Tag(null, ""));
    }

    [Fact]
    public void FastPathArmsSwitchOffExactlyTheirPaths()
    {
        var arms = BenchFastPathsCommand.Arms.ToDictionary(a => a.Name, a => a.Off.Order().ToArray());
        Assert.Equal(["GENREC_NO_JEMALLOC", "GENREC_NO_MALLOC_TUNING", "GENREC_NO_MKL_AVX512"], arms["none"]);
        Assert.Empty(arms["both"]);
        Assert.Equal(["GENREC_NO_JEMALLOC"], arms["glibc-tuned-mkl"]);
        // Each arm starts clean: nothing preloaded or marked as relaunched by the process that starts it.
        Assert.All(new[] { "LD_PRELOAD", "MALLOC_CONF", "GENREC_RELAUNCHED" }, v => Assert.Null(GenRecChild.CleanStart()[v]));
    }
}
