using GenRec.Configuration;
using GenRec.Data;
using GenRec.Data.Preparation;
using GenRec.Text;
using GenRec.Training.LlmEsr;

namespace GenRec.Tests.LlmEsr;

/// <summary>LLM-ESR's item text table from an encoder named in the config: computed once, then read from the cache.</summary>
public class SemanticTableSourceTests
{
    private sealed class CountingEncoder : ITextEncoder
    {
        public int Calls { get; private set; }

        public string Name => "counting";

        public int Dim => 2;

        public float[] Encode(IReadOnlyList<string> texts)
        {
            Calls++;
            return [.. texts.SelectMany(t => new[] { t.Length, t.Count(c => c == 'a') }).Select(v => (float)v)];
        }
    }

    [Fact]
    public void ANamedEncoderEmbedsOnceAndTheCacheServesTheNextRun()
    {
        using var dir = new TempDir();
        var log = new InteractionLog("texts", hasRatings: false, hasTimestamps: false);
        foreach (var (user, item) in new[] { ("u", "1"), ("u", "2"), ("v", "2"), ("v", "3") })
        {
            log.Add(user, item);
        }

        var metadata = new Dictionary<string, ItemMetadata> { ["1"] = new("banana", []), ["2"] = new("kiwi", []), ["3"] = new("papaya", []) };
        var data = DatasetPreparer.Prepare("texts", log, new PrepareOptions(), metadata, "synthetic");
        var encoder = new CountingEncoder();
        TextEncoders.Register("counting-test", () => encoder);
        var config = new LlmEsrConfig { Embeddings = "counting-test" };
        var (first, dim) = SemanticTableSource.Load(config, data, cacheDir: dir.Path);
        var (second, _) = SemanticTableSource.Load(config, data, cacheDir: dir.Path);
        Assert.Equal(1, encoder.Calls);
        Assert.Equal(2, dim);
        Assert.Equal(first, second);
        var banana = data.ItemIds["1"];
        Assert.Equal([6f, 3f], first.AsSpan(banana * 2, 2).ToArray());
        var unknown = Assert.Throws<ArgumentException>(() => SemanticTableSource.Load(new LlmEsrConfig { Embeddings = "bogus" }, data, cacheDir: dir.Path)).Message;
        Assert.Contains("'bogus'", unknown);
        Assert.Contains("counting-test", unknown);                                       // the encoders available are listed
    }
}
