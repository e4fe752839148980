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
    public static List<GeneratedId>[] Generate(TigerModel model, Tensor input, SemanticIdTrie trie, int beams, bool constrained)
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
        var lastTokens = full(b * beams, SemanticIdVocabulary.DecoderStart, dtype: int64, device: device); // [B*K]
        var scores = full(b, beams, float.NegativeInfinity, device: device);             // [B, K]
        scores[.., 0] = 0;                                                               // one live beam to start
        var nodes = Enumerable.Repeat(trie.Root, b * beams).ToArray();
        var codes = Enumerable.Range(0, b * beams).Select(_ => new List<int>()).ToArray();
        for (var position = 0; position < vocabulary.IdLength; position++)
        {
            var logits = model.DecodeNext(lastTokens, cache);                            // [B*K, V]
            var logp = logits.log_softmax(-1) + AllowedMask(vocabulary, position, nodes, constrained).ToDevice(device); // [B*K, V]: the trie lives on the host
            var total = (scores.view(-1, 1) + logp).view(b, -1);                         // [B, K*V]
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
                    var from = (row * beams) + (int)parents[at];
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

            cache.Reorder(tensor(rows).ToDevice(device));                                                 // beams continue from their parents
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

    // 0 where a token may come next, -inf elsewhere: [B*K, V]
    private static Tensor AllowedMask(SemanticIdVocabulary vocabulary, int position, SemanticIdTrie.Node[] nodes, bool constrained)
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
            foreach (var code in nodes[i].Children.Keys)
            {
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
