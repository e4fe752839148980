using GenRec.Checkpoints;
using GenRec.Compute;
using GenRec.Data;
using GenRec.Models;
using GenRec.Models.Tiger;
using GenRec.Training.Tiger;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Serving;

/// <summary>
/// A trained semantic-ID model (TIGER) ready to serve. <c>/recommend</c> generates the next item's ID with beam search
/// constrained by the trie of the catalogue's IDs, exactly as the offline evaluation does (<see cref="BeamSearch"/>,
/// with its decoder cache): the top k of <c>beams</c> IDs, scored by log P(c_1..c_L | history). History filtering
/// closes the trie nodes below which every item is in the history (<see cref="SemanticIdTrie.Exhausted"/>), so the
/// beams are spent on items that may be answered and k of them come back, the same beams as over a trie built
/// without those items. <c>/rank</c> scores each candidate by the same sequence log-likelihood,
/// log P(ID | history) = sum_l log softmax(decoder logits)_l[c_l], teacher-forced in one decoder pass per chunk.
/// The encoder input is a known user's hashed token and the history's codes; a history without a known user reads
/// the token of user -1 (one bucket all anonymous histories share).
/// </summary>
internal sealed class GenerativeEngine : IRetriever
{
    /// <summary>
    /// Candidates <see cref="Rank"/> scores together (<see cref="SemanticIdGenerator.LogLikelihoods"/>): the history is read
    /// once per chunk, and each decoding step holds logits and cached keys for at most this many rows.
    /// </summary>
    public const int RankChunk = 512;

    private readonly SemanticIdGenerator model;
    private readonly int[][] ids;
    private readonly SemanticIdTrie trie;
    private readonly Device device;
    private DynamicBatcher<BeamRequest, List<GeneratedId>>? batcher;

    internal GenerativeEngine(OpenedTiger opened, string source, int defaultBeams, int maxBeams)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(defaultBeams, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBeams, defaultBeams);
        model = opened.Model;
        model.eval();
        ids = opened.Ids;
        trie = opened.Trie;
        Dataset = opened.Dataset;
        Source = source;
        DefaultBeams = defaultBeams;
        MaxBeams = maxBeams;
        device = ComputeDevice.DeviceOf(model);
    }

    public SequenceDataset Dataset { get; }

    public string Source { get; }

    /// <summary>Beams of a request that asks for none (at least its k).</summary>
    public int DefaultBeams { get; }

    /// <summary>Most beams a request may ask for.</summary>
    public int MaxBeams { get; }

    public string IndexName => $"trie-constrained beam search ({DefaultBeams} beams unless asked, at most {MaxBeams})";

    /// <summary>None: the catalogue of a generative model is its trie (withdrawing from it is not served yet).</summary>
    public IReadOnlySet<int> Withdrawn { get; } = new HashSet<int>();

    public bool UsesUserFeatures => false;

    public int[]? EncodeUserFeatures(IReadOnlyDictionary<string, string>? values) =>
        values is null || values.Count == 0 ? null : throw new ArgumentException("this model reads no user features");

    public IReadOnlyList<Recommendation> Recommend(int[] history, int k, bool filterHistory = true, int user = -1, int[]? userFeatures = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var request = new BeamRequest(history, user, Math.Max(DefaultBeams, k), filterHistory);
        return Answer(Generate([request])[0], k);
    }

    public async Task<IReadOnlyList<Recommendation>> RetrieveAsync(RetrievalQuery query)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(query.K, 1);
        var beams = query.Beams ?? Math.Max(DefaultBeams, query.K);
        if (beams < query.K || beams > MaxBeams)
        {
            throw new ArgumentOutOfRangeException(nameof(query), beams, $"beams: from k ({query.K}) to {MaxBeams}");
        }

        var request = new BeamRequest(query.History, query.User, beams, query.FilterHistory);
        var found = Volatile.Read(ref batcher)?.RunAsync(request) is { } pending ? await pending.ConfigureAwait(false) : Generate([request])[0];
        return Answer(found, query.K);
    }

    /// <summary>The generated IDs of many requests: those of one beam width in one search, each row with its own closed nodes.</summary>
    internal List<GeneratedId>[] Generate(IReadOnlyList<BeamRequest> requests)
    {
        var results = new List<GeneratedId>[requests.Count];
        foreach (var width in requests.Select((r, i) => (r.Beams, i)).GroupBy(x => x.Beams, x => x.i))
        {
            using var scope = NewDisposeScope();
            int[] rows = [.. width];
            var input = model.Inputs(ids, [.. rows.Select(i => (requests[i].User, requests[i].History))]).to(device); // [B, S]
            HashSet<SemanticIdTrie.Node>?[] closed = [.. rows.Select(i => requests[i].FilterHistory && requests[i].History.Length > 0 ? trie.Exhausted(requests[i].History.Select(item => ids[item])) : null)];
            var found = model.Generate(input, trie, width.Key, constrained: true, closed);
            for (var j = 0; j < rows.Length; j++)
            {
                results[rows[j]] = found[j];
            }
        }

        return results;
    }

    private Recommendation[] Answer(List<GeneratedId> generated, int k) =>
        [.. generated.Where(g => g.Item > 0).Take(k).Select(g => new Recommendation(g.Item, Dataset.ItemKeys[g.Item], Dataset.ItemLabel(g.Item), g.LogProbability))];

    /// <summary>log P(candidate's ID | history) of each candidate, in the candidates' order (the score a beam reaching it has).</summary>
    public float[] Rank(int[] history, int[] candidates, int user = -1, int[]? userFeatures = null)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var input = model.Inputs(ids, [(user, history)]).to(device);                     // [1, S]
        var scores = new float[candidates.Length];
        for (var start = 0; start < candidates.Length; start += RankChunk)
        {
            using var chunkScope = NewDisposeScope();
            var chunk = candidates.AsSpan(start, Math.Min(RankChunk, candidates.Length - start)).ToArray();
            model.LogLikelihoods(input, model.IdTokens(ids, chunk).to(device)).cpu().data<float>().ToArray().CopyTo(scores, start); // [C]
        }

        return scores;
    }

    public string? FirstNonFiniteWeight() => model.FirstNonFiniteParameter();

    public void EnableBatching(int maxBatch, TimeSpan maxWait, Action<int, TimeSpan>? observe = null, int workers = 1) =>
        Volatile.Write(ref batcher, new DynamicBatcher<BeamRequest, List<GeneratedId>>(Generate, maxBatch, maxWait, observe, workers));

    public Task StopBatching() => Interlocked.Exchange(ref batcher, null)?.Complete() ?? Task.CompletedTask;

    public void Dispose() => model.Dispose();

    /// <summary>Loads a TIGER checkpoint from its run folder (<see cref="TigerCheckpoint.Open"/>).</summary>
    public static GenerativeEngine Load(string checkpoint, CheckpointOpenOptions options, int defaultBeams = 20, int maxBeams = 256)
    {
        var opened = TigerCheckpoint.Open(checkpoint, options);
        try
        {
            return new GenerativeEngine(opened, checkpoint, defaultBeams, maxBeams);
        }
        catch
        {
            opened.Model.Dispose();
            throw;
        }
    }

    /// <summary>One request's beam search: history (oldest first), known user (-1: none), beam width, history filtering.</summary>
    internal sealed record BeamRequest(int[] History, int User, int Beams, bool FilterHistory);
}
