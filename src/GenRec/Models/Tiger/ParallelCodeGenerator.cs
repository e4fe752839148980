using GenRec.Configuration;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenRec.Models.Tiger;

/// <summary>
/// RPG (Hou et al., "Generating Long Semantic IDs in Parallel for Recommendation", KDD 2025) on our modules. Each item
/// is one token, the mean of its m codes' embeddings, and a causal stack of T5 decoder blocks reads the history (RPG
/// uses GPT-2 blocks with learned positions). At every position, digit j's head h_j = h + SiLU(W_j h) gives
/// <c>P(c_j = c) = softmax_c(cos(h_j, e_{j,c}) / temperature)</c> over the same embeddings the input uses, all m codes of the
/// next item at once (no beam over code positions): the loss is the mean over digits of their cross-entropies, every
/// target of a window in one pass. An item scores <c>(1/m) sum_j log P(c_j = code_j(item))</c>; generation takes the best
/// items of the catalogue, scored exactly (<c>model.graph_edges</c> 0) or found by RPG's graph search: items are linked
/// to the <c>graph_edges</c> items whose codes' embeddings are most alike (mean over digits of (cos + 1) / 2), and a beam
/// of <c>train.beams</c> items, started at random, moves for <c>graph_steps</c> steps to the best of its neighbours.
/// </summary>
internal sealed class ParallelCodeGenerator : CausalCodeStack
{
    private readonly ModuleList<Linear> heads = new();
    private readonly Lock catalogueLock = new();
    private CatalogueTensors? catalogue;

    public ParallelCodeGenerator(TigerConfig config, SemanticIdVocabulary vocabulary) : base(nameof(ParallelCodeGenerator), config, vocabulary, vocabulary.UserOffset) // codes only: no user token
    {
        for (var j = 0; j < vocabulary.IdLength; j++)
        {
            heads.Add(nn.Linear(config.ModelDim, config.ModelDim));
        }

        RegisterComponents();
    }

    /// <summary>Rows of the last <c>MaxHistory</c> items' code tokens, left-padded: [B, T, m] (T at least 1; the user is not read).</summary>
    public override Tensor Inputs(int[][] ids, IReadOnlyList<(int User, int[] History)> rows) =>
        ItemTokens(ids, [.. rows.Select(r => r.History[Math.Max(0, r.History.Length - Config.MaxHistory)..])]);

    /// <summary>Mean over digits of each digit's cross-entropy, over every target of the windows (items 2..m of each) in one pass.</summary>
    public override (Tensor Loss, long Targets) Loss(int[][] ids, IReadOnlyList<GenerativeExample> batch, Device device)
    {
        var input = ItemTokens(ids, [.. batch.Select(e => e.Items[..^1])]).to(device);    // [B, T, m]
        var target = ItemTokens(ids, [.. batch.Select(e => e.Items[1..])]).to(device);    // [B, T, m]: aligned, left-padded alike
        var valid = target[.., .., 0].ne(SemanticIdVocabulary.Padding).view(-1);        // [B*T]
        var hidden = Hidden(input).view(-1, Config.ModelDim).index_select(0, valid.nonzero().squeeze(1)); // [R, D]
        var codes = target.view(-1, Vocabulary.IdLength).index_select(0, valid.nonzero().squeeze(1));     // [R, m] token ids
        Tensor? total = null;
        for (var j = 0; j < Vocabulary.IdLength; j++)
        {
            var loss = nn.functional.cross_entropy(DigitLogits(hidden, j), codes[.., j] - Vocabulary.Offsets[j]);
            total = total is null ? loss : total + loss;
        }

        return (total! / Vocabulary.IdLength, hidden.shape[0]);
    }

    public override IBeamDecoder StartSearch(Tensor input) =>
        throw new NotSupportedException("a parallel_codes model predicts all codes of an ID at once: it is not decoded code by code");

    /// <summary>The mean log-probability of each candidate's codes [C, L] (token ids) after one input row: the score generation ranks by.</summary>
    public override Tensor LogLikelihoods(Tensor input, Tensor candidates)
    {
        var logp = CodeLogProbabilities(Hidden(input)[.., -1]);                         // [1, V']
        return logp[0].index_select(0, candidates.view(-1)).view(candidates.shape).mean([1]);
    }

    public override List<GeneratedId>[] Generate(Tensor input, SemanticIdTrie trie, int beams, bool constrained, IReadOnlyList<HashSet<SemanticIdTrie.Node>?>? exhausted = null)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var wasTraining = training;
        eval();
        var logp = CodeLogProbabilities(Hidden(input)[.., -1]);                         // [B, V']
        var results = constrained ? Catalogue(logp, trie, beams, exhausted) : Unconstrained(logp, trie);
        if (wasTraining)
        {
            train();
        }

        return results;
    }

    /// <summary>A window of m items reads m - 1 item tokens (T): the code embeddings' mean, T through each block, T x T attention, every head on T.</summary>
    public override double ForwardFlops(GenerativeExample example)
    {
        double t = example.Items.Length - 1, d = Config.ModelDim;
        var heads = Vocabulary.IdLength * t * 2 * d * d;
        var logits = t * 2 * d * (Vocabulary.UserOffset - 2);
        return (Config.DecoderLayers * (BlockFlops(t) + AttentionFlops(t, t))) + heads + logits;
    }

    public override int Targets(GenerativeExample example) => example.Items.Length - 1;

    // Items' code token ids, left-padded: [B, max(1, longest), m]
    private Tensor ItemTokens(int[][] ids, IReadOnlyList<int[]> rows)
    {
        var m = Vocabulary.IdLength;
        var t = Math.Max(1, rows.Max(r => r.Length));
        var values = new long[rows.Count * t * m];
        for (var r = 0; r < rows.Count; r++)
        {
            var at = ((r * t) + (t - rows[r].Length)) * m;
            foreach (var item in rows[r])
            {
                for (var j = 0; j < m; j++)
                {
                    values[at++] = Vocabulary.Token(j, ids[item][j]);
                }
            }
        }

        return tensor(values).view(rows.Count, t, m);
    }

    // Item code tokens [B, T, m] (0 = padding item) -> hidden states [B, T, D]: each item reads as the mean of its codes' embeddings.
    private Tensor Hidden(Tensor itemTokens) =>
        Stack(tokens.forward(itemTokens).mean([2]), itemTokens[.., .., 0].ne(SemanticIdVocabulary.Padding));

    // Digit j's logits: hidden [R, D] -> [R, K_j], cos(h + SiLU(W_j h), e_{j,c}) / temperature.
    private Tensor DigitLogits(Tensor hidden, int j)
    {
        var h = hidden + nn.functional.silu(heads[j].forward(hidden));                   // [R, D]
        var codes = tokens.weight!.narrow(0, Vocabulary.Offsets[j], Vocabulary.CodesPerPosition[j]); // [K_j, D]
        return nn.functional.normalize(h, dim: -1).matmul(nn.functional.normalize(codes, dim: -1).t()) / Config.Temperature;
    }

    // Log-probabilities of every code token at each row [R, D] -> [R, V'] (the two special tokens -inf), digit blocks in token order.
    private Tensor CodeLogProbabilities(Tensor hidden)
    {
        var blocks = new List<Tensor> { full(hidden.shape[0], Vocabulary.Offsets[0], float.NegativeInfinity, device: hidden.device) };
        for (var j = 0; j < Vocabulary.IdLength; j++)
        {
            blocks.Add(DigitLogits(hidden, j).log_softmax(-1));
        }

        return cat(blocks, dim: 1);
    }

    // The best items of the trie's catalogue (less each row's exhausted items), by exact scores or the graph search.
    private List<GeneratedId>[] Catalogue(Tensor logp, SemanticIdTrie trie, int beams, IReadOnlyList<HashSet<SemanticIdTrie.Node>?>? exhausted)
    {
        var (itemTokens, allowed, adjacency) = CatalogueOf(trie, logp.device);
        var results = new List<GeneratedId>[logp.shape[0]];
        for (var row = 0; row < results.Length; row++)
        {
            var excluded = exhausted?[row]?.Where(n => n.Item > 0).Select(n => n.Item).ToHashSet();
            bool Allowed(int item) => allowed[item] && excluded?.Contains(item) != true;
            int[] candidates = adjacency is null ? [.. trie.Items.Where(Allowed)] : GraphSearch(logp[row], itemTokens, adjacency, beams, Allowed, seed: row);
            var scores = Scores(logp[row], itemTokens, candidates);
            results[row] = [.. candidates.Zip(scores).OrderByDescending(p => p.Second).ThenBy(p => p.First).Take(beams).Select(p => new GeneratedId([.. trie.Ids[p.First]], p.Second, p.First))];
        }

        return results;
    }

    /// <summary>
    /// What generation over a trie's catalogue reads, built once per trie (and, for the graph, per state of the code
    /// embeddings) instead of on every call: each item's code tokens [N, m] (item i at row i - 1), the items the trie holds,
    /// and the item graph [N, E] when <c>graph_edges</c> asks for one. Concurrent requests share it; an entry that is
    /// replaced is left to the collector, since another request may still read it.
    /// </summary>
    private CatalogueTensors CatalogueOf(SemanticIdTrie trie, Device device)
    {
        var version = Config.GraphEdges > 0 ? tokens.weight!.sum().item<float>() : 0;   // the graph follows the code embeddings, which training changes
        lock (catalogueLock)
        {
            if (catalogue is { } cached && ReferenceEquals(cached.Trie, trie) && cached.Version == version && cached.ItemTokens.device.ToString() == device.ToString())
            {
                return cached;
            }

            var ids = trie.Ids;
            var allowed = new bool[ids.Count];
            foreach (var item in trie.Items)
            {
                allowed[item] = true;
            }

            var itemTokens = tensor(ids.Skip(1).SelectMany(id => id.Select((c, p) => (long)Vocabulary.Token(p, c))).ToArray()).view(ids.Count - 1, Vocabulary.IdLength).to(device).DetachFromDisposeScope(); // [N, m]
            return catalogue = new CatalogueTensors(trie, version, itemTokens, allowed, Config.GraphEdges > 0 ? Graph(itemTokens) : null);
        }
    }

    // Mean code log-probability of each candidate item (dense ids) under one row's logp [V'].
    private float[] Scores(Tensor logp, Tensor itemTokens, int[] candidates)
    {
        if (candidates.Length == 0)
        {
            return [];
        }

        var rows = itemTokens.index_select(0, tensor(candidates.Select(i => (long)i - 1).ToArray()).to(logp.device)); // [C, m]
        return logp.index_select(0, rows.view(-1)).view(rows.shape).mean([1]).cpu().data<float>().ToArray();
    }

    // RPG's graph-constrained decoding: a beam started at random items moves to the best of its neighbours for graph_steps steps.
    private int[] GraphSearch(Tensor logp, Tensor itemTokens, Tensor adjacency, int beams, Func<int, bool> allowed, int seed)
    {
        var n = (int)itemTokens.shape[0];
        var random = new Random(seed);
        int[] beam = [.. Enumerable.Range(0, beams).Select(_ => 1 + random.Next(n))];
        int[] best = [];
        for (var step = 0; step < Config.GraphSteps; step++)
        {
            var neighbours = adjacency.index_select(0, tensor(beam.Select(i => (long)i - 1).ToArray()).to(adjacency.device)).view(-1).cpu().data<long>().ToArray();
            int[] candidates = [.. neighbours.Select(i => (int)i + 1).Concat(best).Distinct().Where(allowed)];
            var scores = Scores(logp, itemTokens, candidates);
            best = [.. candidates.Zip(scores).OrderByDescending(p => p.Second).ThenBy(p => p.First).Take(beams).Select(p => p.First)];
            beam = best.Length > 0 ? best : beam;
        }

        return best;
    }

    // Item graph [N, E]: each item's graph_edges most alike items (row i - 1 for item i), by the current code embeddings.
    private Tensor Graph(Tensor itemTokens)
    {
        var n = itemTokens.shape[0];
        var edges = (int)Math.Min(Config.GraphEdges, n);
        var parts = new List<Tensor>();
        var normalised = nn.functional.normalize(tokens.weight!, dim: -1);                // [V', D]
        for (long start = 0; start < n; start += 1024)
        {
            using var chunk = NewDisposeScope();
            var rows = itemTokens.narrow(0, start, Math.Min(1024, n - start));           // [C, m]
            var similarity = zeros(rows.shape[0], n, device: itemTokens.device);         // [C, N]
            for (var j = 0; j < Vocabulary.IdLength; j++)
            {
                var cosines = normalised.index_select(0, rows[.., j]).matmul(normalised.index_select(0, itemTokens[.., j]).t()); // [C, N]
                similarity.add_(cosines);
            }

            parts.Add(similarity.topk(edges, dim: 1).indexes.MoveToOuterDisposeScope());
        }

        return cat(parts, dim: 0).DetachFromDisposeScope();                              // [N, E]: 0-based rows
    }

    // Without the catalogue: each digit's most likely code, which may name no item (one ID per row).
    private List<GeneratedId>[] Unconstrained(Tensor logp, SemanticIdTrie trie)
    {
        var codes = new long[logp.shape[0], Vocabulary.IdLength];
        var best = zeros(logp.shape[0], device: logp.device);
        for (var j = 0; j < Vocabulary.IdLength; j++)
        {
            var (top, index) = logp.narrow(1, Vocabulary.Offsets[j], Vocabulary.CodesPerPosition[j]).max(1); // [B]
            best = best + top;
            var picked = index.cpu().data<long>().ToArray();
            for (var row = 0; row < picked.Length; row++)
            {
                codes[row, j] = picked[row];
            }
        }

        var scores = (best / Vocabulary.IdLength).cpu().data<float>().ToArray();
        return [.. Enumerable.Range(0, scores.Length).Select(row =>
        {
            int[] id = [.. Enumerable.Range(0, Vocabulary.IdLength).Select(j => (int)codes[row, j])];
            return new List<GeneratedId> { new(id, scores[row], trie.ItemOf(id)) };
        })];
    }

    private sealed record CatalogueTensors(SemanticIdTrie Trie, double Version, Tensor ItemTokens, bool[] Allowed, Tensor? Adjacency)
    {
        public void Deconstruct(out Tensor itemTokens, out bool[] allowed, out Tensor? adjacency) => (itemTokens, allowed, adjacency) = (ItemTokens, Allowed, Adjacency);
    }
}
