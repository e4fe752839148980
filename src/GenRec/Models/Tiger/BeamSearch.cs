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
    /// <param name="exhausted">Per input row, trie nodes a constrained beam may not enter (<see cref="SemanticIdTrie.Exhausted"/>:
    /// items left out of that row's answer, e.g. its history); null: none.</param>
    public static List<GeneratedId>[] Generate(TigerModel model, Tensor input, SemanticIdTrie trie, int beams, bool constrained, IReadOnlyList<HashSet<SemanticIdTrie.Node>?>? exhausted = null)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var wasTraining = model.training;
        model.eval();
        var vocabulary = model.Vocabulary;
        var b = (int)input.shape[0];
        var device = input.device;
        var (memory, mask) = model.Encode(input);                                        // [B, S, D], [B, 1, S]: shared by each user's K beams
        var cache = model.StartDecoding(memory, mask);                                   // each token passes the decoder once
        // The search starts from one row per user (the start token: the K beams would be K copies of it) and branches into K.
        var live = beams <= vocabulary.Size ? 1 : beams;                                 // rows per user this step
        var lastTokens = full(b * live, SemanticIdVocabulary.DecoderStart, dtype: int64, device: device); // [B*live]
        var scores = full(b, live, float.NegativeInfinity, device: device);              // [B, live]
        scores[.., 0] = 0;                                                               // one live beam to start
        var nodes = Enumerable.Repeat(trie.Root, b * live).ToArray();
        var codes = Enumerable.Range(0, b * live).Select(_ => new List<int>()).ToArray();
        for (var position = 0; position < vocabulary.IdLength; position++)
        {
            var logits = model.DecodeNext(lastTokens, cache);                            // [B*live, V]
            var logp = logits.log_softmax(-1) + AllowedMask(vocabulary, position, nodes, constrained, live, exhausted).ToDevice(device); // [B*live, V]: the trie lives on the host
            var total = (scores.view(-1, 1) + logp).view(b, -1);                         // [B, live*V]
            var (best, index) = total.topk(beams, dim: 1);                               // [B, K]
            var parent = index.div(vocabulary.Size, rounding_mode: RoundingMode.floor);  // [B, K] beam within the row
            var token = index.remainder(vocabulary.Size);                                // [B, K]
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

            cache.Reorder(tensor(rows).ToDevice(device));                                                 // beams continue from their parents (the first step: K from one)
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

    // 0 where a token may come next, -inf elsewhere: [B*R, V] (row i is beam i % R of input row i / R)
    private static Tensor AllowedMask(SemanticIdVocabulary vocabulary, int position, SemanticIdTrie.Node[] nodes, bool constrained, int rowsPerInput, IReadOnlyList<HashSet<SemanticIdTrie.Node>?>? exhausted)
    {
        var mask = full(nodes.Length, vocabulary.Size, float.NegativeInfinity);
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
