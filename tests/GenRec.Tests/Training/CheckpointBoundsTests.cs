using GenRec.Checkpoints;
using GenRec.Configuration;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using GenRec.Models;
using GenRec.Models.Encoders;
using GenRec.Training;
using static TorchSharp.torch;

namespace GenRec.Tests.Training;

/// <summary>
/// Loading bounded by the file: a checkpoint header's sizes are checked against configured maxima and against the
/// weights the file holds before a model is built, so a damaged or hostile header is refused at once, in little memory.
/// </summary>
public class CheckpointBoundsTests
{
    private const int Items = 30;

    /// <summary>A saved retrieval checkpoint of a small model of the encoder, as bytes.</summary>
    private static byte[] SmallCheckpoint(string encoder, TempDir folder)
    {
        manual_seed(5);
        var config = TrainingTests.SmallRun(1) with { Model = TrainingTests.SmallRun(1).Model with { Encoder = encoder } };
        using var model = new SequentialRecommender(config.Model, Items);
        var path = Path.Combine(folder.Path, $"{encoder}.ckpt");
        RetrievalCheckpoint.Save(path, config, model, null, new TrainingState());
        return File.ReadAllBytes(path);
    }

    /// <summary>The checkpoint with its JSON header changed by <paramref name="change"/>; the weights as they were.</summary>
    private static byte[] WithHeader(byte[] checkpoint, Action<JsonObject> change)
    {
        using var r = new BinaryReader(new MemoryStream(checkpoint), Encoding.UTF8);
        var magic = r.ReadString();
        var header = JsonNode.Parse(r.ReadString())!.AsObject();
        var rest = r.ReadBytes(checkpoint.Length - (int)r.BaseStream.Position);
        change(header);
        using var output = new MemoryStream();
        using (var w = new BinaryWriter(output, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(magic);
            w.Write(header.ToJsonString());
            w.Write(rest);
        }

        return output.ToArray();
    }

    /// <summary>The implied lower bound is a lower bound: never above the real parameter count, for every encoder.</summary>
    [Theory]
    [InlineData(16, 8, 1, 1)]
    [InlineData(24, 20, 2, 2)]
    [InlineData(32, 50, 3, 4)]
    public void TheImpliedWeightsNeverExceedAModelsRealOnes(int dim, int length, int blocks, int heads)
    {
        foreach (var encoder in EncoderRegistry.Names)
        {
            var config = new ModelConfig { Encoder = encoder, EmbeddingDim = dim, MaxSequenceLength = length, NumBlocks = blocks, NumHeads = heads, FfnHiddenDim = dim * 2 };
            using var model = new SequentialRecommender(config, Items);
            var real = model.parameters().Sum(p => p.numel());
            var (implied, parts) = ModelSizeBounds.ImpliedElements(config, Items);
            Assert.True(implied <= real, $"{encoder}: implied {implied} ({parts}) > real {real}");
            Assert.True(implied >= (Items + 1.0) * dim, $"{encoder}: the item table is always counted");
        }
    }

    /// <summary>The ranker's implied weights are a lower bound too, and an inflated ranking header is refused at once.</summary>
    [Theory]
    [InlineData(16, 8, 1, 1)]
    [InlineData(32, 30, 3, 2)]
    public void TheRankersImpliedWeightsAreALowerBoundAndAnInflatedHeaderIsRefused(int dim, int history, int blocks, int heads)
    {
        var config = new RankingConfig { EmbeddingDim = dim, MaxHistory = history, NumBlocks = blocks, NumHeads = heads };
        using var model = new GenRec.Models.Ranking.HstuRanker(config, Items, 2);
        var real = model.parameters().Sum(p => p.numel());
        var (implied, parts) = ModelSizeBounds.ImpliedRankingElements(config, Items, 2);
        Assert.True(implied <= real, $"implied {implied} ({parts}) > real {real}");

        using var folder = new TempDir();
        var path = Path.Combine(folder.Path, "ranker.ckpt");
        var run = new RankingRunConfig { Model = config };
        GenRec.Checkpoints.RankingCheckpoint.Save(path, new GenRec.Checkpoints.RankingCheckpoint.Header(run, Items, ["engage", "like"], new TrainingState()), model, null);
        Assert.NotNull(GenRec.Checkpoints.RankingCheckpoint.Load(path).Model);
        var inflated = Path.Combine(folder.Path, "inflated.ckpt");
        File.WriteAllBytes(inflated, WithHeader(File.ReadAllBytes(path), h => h["config"]!["model"]!["max_history"] = 900_000));
        var clock = Stopwatch.StartNew();
        Assert.Contains("the header describes a model of at least", Assert.Throws<InvalidDataException>(() => GenRec.Checkpoints.RankingCheckpoint.Load(inflated)).Message);
        Assert.True(clock.ElapsedMilliseconds < 2_000);
    }

    [Theory]
    [InlineData("max_sequence_length", 1_000_000_000L, "model.max_sequence_length is 1,000,000,000")]
    [InlineData("max_sequence_length", 500_000L, "the header describes a model of at least")]
    [InlineData("embedding_dim", 60_000L, "the header describes a model of at least")]
    [InlineData("num_blocks", 1_000L, "the header describes a model of at least")]
    [InlineData("num_heads", -3L, "model.num_heads is -3")]
    public void AnInflatedHeaderIsRefusedAtOnceInLittleMemory(string field, long value, string expected)
    {
        using var folder = new TempDir();
        var path = Path.Combine(folder.Path, "hostile.ckpt");
        File.WriteAllBytes(path, WithHeader(SmallCheckpoint("sasrec", folder), h => h["config"]!["model"]![field] = value));
        var clock = Stopwatch.StartNew();
        var before = GenRec.Util.NativeHeap.ResidentBytes() ?? 0;
        var error = Assert.Throws<InvalidDataException>(() => RetrievalCheckpoint.LoadModel(path));
        Assert.Contains(expected, error.Message);
        Assert.Contains(path, error.Message);
        Assert.True(clock.ElapsedMilliseconds < 2_000, $"took {clock.ElapsedMilliseconds} ms");
        Assert.True((GenRec.Util.NativeHeap.ResidentBytes() ?? 0) - before < (64L << 20), "resident memory grew by more than 64 MB");
    }

    [Fact]
    public void ATensorClaimingMoreBytesThanTheFileHoldsIsRefused()
    {
        using var folder = new TempDir();
        var bytes = SmallCheckpoint("hstu", folder);
        var path = Path.Combine(folder.Path, "truncated.ckpt");
        File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);
        var error = Assert.Throws<InvalidDataException>(() => RetrievalCheckpoint.LoadModel(path));
        Assert.Contains("the file has", error.Message);
    }

    private static readonly string[] SizeFields = ["embedding_dim", "max_sequence_length", "num_blocks", "num_heads", "ffn_hidden_dim", "attention_dim", "linear_dim", "num_time_buckets"];

    /// <summary>
    /// Property: any size field of a real small checkpoint (SASRec or HSTU) set to any value (small, huge, negative),
    /// or num_items changed, or the file cut anywhere, either still loads a model or is refused with a clear error, within
    /// 2 s, with resident memory grown by less than 128 MB; never another exception, never a crash.
    /// </summary>
    [Fact]
    public void MutatedHeadersAndLengthsAreRefusedFastInBoundedMemory()
    {
        using var folder = new TempDir();
        var originals = new[] { SmallCheckpoint("sasrec", folder), SmallCheckpoint("hstu", folder) };
        var path = Path.Combine(folder.Path, "mutated.ckpt");
        var mutation =
            from which in Gen.Choose(0, 1)
            from field in Gen.Choose(-1, SizeFields.Length)
            from exponent in Gen.Choose(0, 5)
            from mantissa in Gen.Choose(-3, 60_000)
            from cut in Gen.Choose(1, 1_000_000)
            select (which, field, exponent, mantissa, cut);
        Prop.ForAll(mutation.ToArbitrary(), m =>
        {
            var (which, field, exponent, mantissa, cut) = m;
            var original = originals[which];
            var value = mantissa * Math.Pow(10, exponent);                               // up to ~6e9: small, plausible and absurd sizes
            var bytes = field switch
            {
                -1 => original[..Math.Min(original.Length, cut % original.Length)],       // the file cut anywhere
                _ when field == SizeFields.Length => WithHeader(original, h => h["num_items"] = value),
                _ => WithHeader(original, h => h["config"]!["model"]![SizeFields[field]] = value),
            };
            File.WriteAllBytes(path, bytes);
            var before = GenRec.Util.NativeHeap.ResidentBytes() ?? 0;
            var clock = Stopwatch.StartNew();
            try
            {
                RetrievalCheckpoint.LoadModel(path).Model.Dispose();
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentException)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
            }

            Assert.True(clock.ElapsedMilliseconds < 2_000, $"mutation {m}: took {clock.ElapsedMilliseconds} ms");
            Assert.True((GenRec.Util.NativeHeap.ResidentBytes() ?? 0) - before < (128L << 20), $"mutation {m}: resident memory grew by more than 128 MB");
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(60));                           // a failure prints FsCheck's seed to replay it
    }
}
