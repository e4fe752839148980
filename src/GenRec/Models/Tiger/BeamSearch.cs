using GenRec.Compute;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Models.Tiger;

/// <summary>A generated semantic ID: its codes, summed log-probability, and the item it names (-1 for none).</summary>
internal sealed record GeneratedId(int[] Codes, float LogProbability, int Item);

/// <summary>
/// Beam search over the decoder, one code per step. Constrained: at each step only codes that extend
/// a beam's prefix to some real item's ID are allowed (a prefix trie), so every result is an item.
/// Unconstrained: any code of the position's block is allowed, and results may name no item.
/// </summary>
internal static class BeamSearch
{
    /// <summary>For each input row, up to <paramref name="beams"/> IDs, best first.</summary>
    /// <param name="input">The model's input rows (<see cref="SemanticIdGenerator.Inputs"/>), [B, S].</param>
    /// <param name="exhausted">Per input row, trie nodes a constrained beam may not enter (<see cref="SemanticIdTrie.Exhausted"/>:
    /// items left out of that row's answer, e.g. its history); null: none.</param>
    public static List<GeneratedId>[] Generate(SemanticIdGenerator model, Tensor input, SemanticIdTrie trie, int beams, bool constrained, IReadOnlyList<HashSet<SemanticIdTrie.Node>?>? exhausted = null) =>
        Generate(model, input, model.StartSearch, trie, beams, constrained, exhausted);

    /// <summary>As above, decoding with the state <paramref name="start"/> gives (e.g. a search without a cache, to test one against).</summary>
    public static List<GeneratedId>[] Generate(SemanticIdGenerator model, Tensor input, Func<Tensor, IBeamDecoder> start, SemanticIdTrie trie, int beams, bool constrained, IReadOnlyList<HashSet<SemanticIdTrie.Node>?>? exhausted = null)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var wasTraining = model.training;
        model.eval();
        var vocabulary = model.Vocabulary;
        var b = (int)input.shape[0];
        var device = input.device;
        var decoder = start(input);                                                      // the history's states, computed once and shared by each row's K beams
        var logits = decoder.Next(null);                                                 // [B, V']: one row per input row
        var width = (int)logits.shape[1];
        // The search starts from one row per input row and branches into K; only when K exceeds the first step's choices does each row start as K copies.
        var live = beams <= width ? 1 : beams;                                           // rows per input row this step
        if (live > 1)
        {
            var copies = arange(b, dtype: int64, device: device).repeat_interleave(live); // [B*live]
            logits = logits.index_select(0, copies);
            decoder.Reorder(copies);
        }

        var scores = full(b, live, float.NegativeInfinity, device: device);              // [B, live]
        scores[.., 0] = 0;                                                               // one live beam to start
        var nodes = Enumerable.Repeat(trie.Root, b * live).ToArray();
        var codes = Enumerable.Range(0, b * live).Select(_ => new List<int>()).ToArray();
        var lastTokens = empty(0, dtype: int64, device: device);                         // [B*K]: the codes each row chose at the last step
        for (var position = 0; position < vocabulary.IdLength; position++)
        {
            if (position > 0)
            {
                logits = decoder.Next(lastTokens);                                       // [B*live, V']
            }

            var logp = logits.log_softmax(-1) + AllowedMask(vocabulary, width, position, nodes, constrained, live, exhausted).ToDevice(device); // [B*live, V']: the trie lives on the host
            var total = (scores.view(-1, 1) + logp).view(b, -1);                         // [B, live*V']
            var (best, index) = total.topk(beams, dim: 1);                               // [B, K]
            var parent = index.div(width, rounding_mode: RoundingMode.floor);            // [B, K] beam within the row
            var token = index.remainder(width);                                          // [B, K]
            var parents = parent.cpu().data<long>().ToArray();                        // the trie walk needs them on the host
            var tokens = token.cpu().data<long>().ToArray();
            var bestScores = best.cpu().data<float>().ToArray();
            var rows = new long[b * beams];
            var nextNodes = new SemanticIdTrie.Node[b * beams];
            var nextCodes = new List<int>[b * beams];
            for (var row = 0; row < b; row++)
            {
                for (var k = 0; k < beams; k++)
                {
                    var at = (row * beams) + k;
                    var from = (row * live) + (int)parents[at];
                    rows[at] = from;
                    var code = vocabulary.Code(position, (int)tokens[at]);
                    nextCodes[at] = [.. codes[from], code];
                    nextNodes[at] = nodes[from].Children.TryGetValue(code, out var child) ? child : InvalidNode;
                    if (float.IsNegativeInfinity(bestScores[at]))
                    {
                        nextNodes[at] = InvalidNode;
                    }
                }
            }

            decoder.Reorder(tensor(rows).ToDevice(device));                              // beams continue from their parents (the first step: K from one)
            live = beams;
            lastTokens = token.view(-1);
            scores = best;
            nodes = nextNodes;
            codes = nextCodes;
        }

        var final = scores.cpu().data<float>().ToArray();
        var results = new List<GeneratedId>[b];
        for (var row = 0; row < b; row++)
        {
            results[row] = [];
            for (var k = 0; k < beams; k++)
            {
                var at = (row * beams) + k;
                if (!float.IsNegativeInfinity(final[at]))
                {
                    results[row].Add(new GeneratedId([.. codes[at]], final[at], trie.ItemOf(codes[at])));
                }
            }
        }

        if (wasTraining)
        {
            model.train();
        }

        return results;
    }

    private static readonly SemanticIdTrie.Node InvalidNode = new();

    // 0 where a token may come next, -inf elsewhere: [B*R, V'] (V' = the logits' width: token ids index it) (row i is beam i % R of input row i / R)
    private static Tensor AllowedMask(SemanticIdVocabulary vocabulary, int width, int position, SemanticIdTrie.Node[] nodes, bool constrained, int rowsPerInput, IReadOnlyList<HashSet<SemanticIdTrie.Node>?>? exhausted)
    {
        var mask = full(nodes.Length, width, float.NegativeInfinity);
        if (!constrained)
        {
            mask[.., TensorIndex.Slice(vocabulary.Offsets[position], vocabulary.Offsets[position] + vocabulary.CodesPerPosition[position])] = 0;
            return mask;
        }

        var rows = new List<long>();
        var columns = new List<long>();
        for (var i = 0; i < nodes.Length; i++)
        {
            var closed = exhausted?[i / rowsPerInput];
            foreach (var (code, child) in nodes[i].Children)
            {
                if (closed?.Contains(child) == true)
                {
                    continue;
                }

                rows.Add(i);
                columns.Add(vocabulary.Token(position, code));
            }
        }

        if (rows.Count > 0)
        {
            mask.index_put_(zeros(rows.Count), tensor(rows.ToArray()), tensor(columns.ToArray()));
        }

        return mask;
    }
}
