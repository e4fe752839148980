using GenRec.Configuration;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenRec.Models.Tiger;

/// <summary>
/// A decoder-only semantic-ID generator: one causal stack of T5 decoder blocks (pre-norm RMSNorm, causal relative position
/// bias shared by the layers, ReLU feed-forward, no cross-attention) over <c>[user, c_1^1 .. c_1^L, ..., c_n^1 .. c_n^L]</c>.
/// Every token predicts the next: P(c_{i+1}^1 | user, c_{&lt;=i}) at item i's last code (an item boundary) and
/// P(c_{i+1}^{p+1} | ..., c_{i+1}^{&lt;=p}) inside item i + 1, so a sequence of n items trains its n - 1 targets in one pass
/// (TIGER's encoder-decoder re-encodes the history for each of them). Histories are left-padded, so every row's next token
/// sits at the same place and generation appends to it.
/// </summary>
internal sealed class DecoderOnlyGenerator : CausalCodeStack
{
    private const long Ignored = -100;                                                   // cross_entropy's ignore_index

    private readonly Linear head;

    public DecoderOnlyGenerator(TigerConfig config, SemanticIdVocabulary vocabulary) : base(nameof(DecoderOnlyGenerator), config, vocabulary, vocabulary.Size)
    {
        head = nn.Linear(config.ModelDim, vocabulary.UserOffset, hasBias: false);       // codes only: user tokens are never predicted
        RegisterComponents();
    }

    /// <summary>Rows of <c>[user, codes of the last MaxHistory items]</c>, left-padded to the longest: [B, 1 + h * L].</summary>
    public override Tensor Inputs(int[][] ids, IReadOnlyList<(int User, int[] History)> rows)
    {
        var longest = rows.Count == 0 ? 0 : rows.Max(r => Math.Min(r.History.Length, Config.MaxHistory));
        var length = 1 + (longest * Vocabulary.IdLength);
        var values = new long[rows.Count * length];
        for (var r = 0; r < rows.Count; r++)
        {
            var (user, history) = rows[r];
            var kept = history.Skip(Math.Max(0, history.Length - Config.MaxHistory)).ToArray();
            var row = Tokens(ids, user, kept);
            row.CopyTo(values, ((r + 1) * length) - row.Length);                       // left padding
        }

        return tensor(values).view(rows.Count, length);
    }

    /// <summary>
    /// Next-token cross-entropy over a batch of item windows in one causal pass: window (user, i_1..i_m) reads
    /// <c>[user, codes(i_1), ..., codes(i_m)]</c> but its last token and is scored on the codes of i_2..i_m.
    /// </summary>
    public override (Tensor Loss, long Targets) Loss(int[][] ids, IReadOnlyList<GenerativeExample> batch, Device device)
    {
        var l = Vocabulary.IdLength;
        var length = batch.Max(e => e.Items.Length) * l;                                 // tokens read: 1 + m L - 1
        var input = new long[batch.Count * length];
        var targets = new long[batch.Count * length];
        Array.Fill(targets, Ignored);
        long counted = 0;
        for (var r = 0; r < batch.Count; r++)
        {
            var row = Tokens(ids, batch[r].User, batch[r].Items);                       // [1 + m L]
            var offset = ((r + 1) * length) - (row.Length - 1);                         // left padding
            Array.Copy(row, 0, input, offset, row.Length - 1);
            Array.Copy(row, 1 + l, targets, offset + l, row.Length - 1 - l);            // the first item's codes have no history: not scored
            counted += row.Length - 1 - l;
        }

        var tokenIds = tensor(input).view(batch.Count, length).to(device);              // [B, T]
        var logits = head.forward(Hidden(tokenIds));                              // [B, T, V']
        var loss = nn.functional.cross_entropy(logits.view(-1, logits.shape[2]), tensor(targets).to(device), ignore_index: Ignored);
        return (loss, counted);
    }

    /// <summary>A window of m items reads T = m L tokens: T through each block, T x T attention (computed whole, masked), the head over the codes.</summary>
    public override double ForwardFlops(GenerativeExample example)
    {
        double t = example.Items.Length * Vocabulary.IdLength;
        return (Config.DecoderLayers * (BlockFlops(t) + AttentionFlops(t, t))) + (2 * t * Config.ModelDim * Vocabulary.UserOffset);
    }

    public override int Targets(GenerativeExample example) => example.Items.Length - 1;

    public override IBeamDecoder StartSearch(Tensor input)
    {
        var prefix = new List<(Tensor Keys, Tensor Values)>();
        var first = head.forward(Hidden(input, prefix)[.., -1]);                        // [B, V']: the next item's first code
        return new DecoderOnlySearch(this, new DecoderCache(prefix, input.ne(SemanticIdVocabulary.Padding).unsqueeze(1)), first);
    }

    /// <summary>The same search without the cache: every step runs the whole sequence again (to test the cache against).</summary>
    internal IBeamDecoder StartUncachedSearch(Tensor input) => new RecomputingSearch(this, input);

    /// <summary>Next-token logits at the last place of token rows [R, T] (left-padded): [R, V'].</summary>
    internal Tensor LastLogits(Tensor tokenIds) => head.forward(Hidden(tokenIds)[.., -1]);

    // Token rows [B, T] (0 = padding) -> hidden states [B, T, D]; with keysValues, each layer's keys and values are kept.
    private Tensor Hidden(Tensor tokenIds, List<(Tensor Keys, Tensor Values)>? keysValues = null) =>
        Stack(tokens.forward(tokenIds), tokenIds.ne(SemanticIdVocabulary.Padding), keysValues);

    /// <summary>
    /// One more token per row after a cached prefix (inference): tokens [R] -> next-token logits [R, V'], equal to
    /// <see cref="LastLogits"/> over the prefix and the row's tokens; each token's keys and values go to the cache.
    /// </summary>
    internal Tensor DecodeNext(Tensor lastTokens, DecoderCache cache) =>
        head.forward(StepAfterPrefix(tokens.forward(lastTokens.view(-1, 1)), cache)).squeeze(1); // [R, V']

    // [user, c_1^1 .. c_1^L, ..., c_m^1 .. c_m^L] as token ids
    private long[] Tokens(int[][] ids, int user, int[] items)
    {
        var l = Vocabulary.IdLength;
        var row = new long[1 + (items.Length * l)];
        row[0] = Vocabulary.UserToken(user);
        for (var i = 0; i < items.Length; i++)
        {
            for (var p = 0; p < l; p++)
            {
                row[1 + (i * l) + p] = Vocabulary.Token(p, ids[items[i]][p]);
            }
        }

        return row;
    }

    /// <summary>Decoding after a cached prefix: the prefix pass gave the first code's logits; each later token passes the stack once.</summary>
    private sealed class DecoderOnlySearch(DecoderOnlyGenerator model, DecoderCache cache, Tensor first) : IBeamDecoder
    {
        public Tensor Next(Tensor? lastTokens) => lastTokens is null ? first : model.DecodeNext(lastTokens, cache);

        public void Reorder(Tensor rows) => cache.Reorder(rows);
    }

    /// <summary>Decoding without a cache: each step runs the stack over the input row and the row's tokens so far.</summary>
    private sealed class RecomputingSearch(DecoderOnlyGenerator model, Tensor input) : IBeamDecoder
    {
        private Tensor inputRows = arange(input.shape[0], dtype: int64, device: input.device); // [R]: the input row each row continues
        private Tensor? decoded;                                                          // [R, S]

        public Tensor Next(Tensor? lastTokens)
        {
            if (lastTokens is not null)
            {
                decoded = decoded is null ? lastTokens.view(-1, 1) : cat([decoded, lastTokens.view(-1, 1)], dim: 1);
            }

            var rows = input.index_select(0, inputRows);                                  // [R, P]
            return model.LastLogits(decoded is null ? rows : cat([rows, decoded], dim: 1));
        }

        public void Reorder(Tensor rows)
        {
            inputRows = inputRows.index_select(0, rows);
            decoded = decoded?.index_select(0, rows);
        }
    }
}
