using GenRec.Configuration;
using GenRec.Models.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenRec.Models.Tiger;

/// <summary>
/// TIGER's encoder-decoder (T5-style: pre-norm RMSNorm blocks, relative position bias shared by the
/// layers of a stack, ReLU feed-forward, final RMSNorm). The encoder reads
/// <c>[user, c_1^1 .. c_1^L, ..., c_n^1 .. c_n^L]</c> (right-padded); the decoder starts from a start
/// token and predicts the next item's L codes one by one.
/// </summary>
internal sealed class TigerModel : SemanticIdGenerator
{
    private readonly Embedding tokens;
    private readonly ModuleList<T5Attention> encoderSelf = new();
    private readonly ModuleList<T5FeedForward> encoderFfn = new();
    private readonly ModuleList<RmsNorm> encoderNorms = new();
    private readonly ModuleList<T5Attention> decoderSelf = new();
    private readonly ModuleList<T5Attention> decoderCross = new();
    private readonly ModuleList<T5FeedForward> decoderFfn = new();
    private readonly ModuleList<RmsNorm> decoderNorms = new();
    private readonly RmsNorm encoderFinal;
    private readonly RmsNorm decoderFinal;
    private readonly T5RelativeBias encoderBias;
    private readonly T5RelativeBias decoderBias;
    private readonly Linear head;
    private readonly FastDropout dropout;

    public TigerModel(TigerConfig config, SemanticIdVocabulary vocabulary) : base(nameof(TigerModel), config, vocabulary)
    {
        var d = config.ModelDim;
        tokens = nn.Embedding(vocabulary.Size, d, padding_idx: SemanticIdVocabulary.Padding);
        for (var i = 0; i < config.EncoderLayers; i++)
        {
            encoderSelf.Add(new T5Attention(d, config.NumHeads, config.HeadDim, config.Dropout));
            encoderFfn.Add(new T5FeedForward(d, config.FfnDim, config.Dropout));
            encoderNorms.Add(new RmsNorm(d));
            encoderNorms.Add(new RmsNorm(d));
        }

        for (var i = 0; i < config.DecoderLayers; i++)
        {
            decoderSelf.Add(new T5Attention(d, config.NumHeads, config.HeadDim, config.Dropout));
            decoderCross.Add(new T5Attention(d, config.NumHeads, config.HeadDim, config.Dropout));
            decoderFfn.Add(new T5FeedForward(d, config.FfnDim, config.Dropout));
            decoderNorms.Add(new RmsNorm(d));
            decoderNorms.Add(new RmsNorm(d));
            decoderNorms.Add(new RmsNorm(d));
        }

        encoderFinal = new RmsNorm(d);
        decoderFinal = new RmsNorm(d);
        encoderBias = new T5RelativeBias(config.NumHeads, config.RelativeBuckets, config.RelativeMaxDistance, bidirectional: true);
        decoderBias = new T5RelativeBias(config.NumHeads, config.RelativeBuckets, config.RelativeMaxDistance, bidirectional: false);
        head = nn.Linear(d, vocabulary.Size, hasBias: false);
        dropout = new FastDropout(config.Dropout);
        RegisterComponents();
    }

    public override Tensor Inputs(int[][] ids, IReadOnlyList<(int User, int[] History)> rows) =>
        EncoderInputs(Vocabulary, ids, rows, Config.MaxHistory, Config.InputCollisionCode);

    /// <summary>
    /// Encoder inputs [B, 1 + h * L']: the user token, then each of the last items' codes, right-padded
    /// to the batch's longest history h (at most <c>maxHistory</c>); padding is masked, so trimming it
    /// changes no result, only the work. L' = L codes per item, or L - 1 without the collision code.
    /// </summary>
    public static Tensor EncoderInputs(SemanticIdVocabulary vocabulary, int[][] ids, IReadOnlyList<(int User, int[] History)> rows, int maxHistory, bool collisionCode = true)
    {
        var longest = rows.Count == 0 ? 0 : rows.Max(r => Math.Min(r.History.Length, maxHistory));
        var perItem = collisionCode ? vocabulary.IdLength : vocabulary.IdLength - 1;
        var length = 1 + (longest * perItem);
        var values = new long[rows.Count * length];
        for (var r = 0; r < rows.Count; r++)
        {
            var (user, history) = rows[r];
            var at = r * length;
            values[at++] = vocabulary.UserToken(user);
            foreach (var item in history.Skip(Math.Max(0, history.Length - maxHistory)))
            {
                for (var p = 0; p < perItem; p++)
                {
                    values[at++] = vocabulary.Token(p, ids[item][p]);
                }
            }
        }

        return tensor(values).view(rows.Count, length);
    }

    /// <summary>
    /// Encoder: S = 1 + h L' tokens through its blocks, S x S attention. Decoder: L tokens through self-attention, the cross
    /// queries and outputs and the feed-forward; the memory's cross keys and values (S tokens); L x L and L x S attention;
    /// the head over the whole vocabulary for L tokens.
    /// </summary>
    public override double ForwardFlops(GenerativeExample example)
    {
        var perItem = Config.InputCollisionCode ? Vocabulary.IdLength : Vocabulary.IdLength - 1;
        double s = 1 + (Math.Min(example.Items.Length - 1, Config.MaxHistory) * perItem), l = Vocabulary.IdLength;
        double d = Config.ModelDim, a = Config.NumHeads * Config.HeadDim;
        var encoder = Config.EncoderLayers * (BlockFlops(s) + AttentionFlops(s, s));
        var decoder = Config.DecoderLayers * (BlockFlops(l) + (2 * l * 2 * d * a) + (2 * s * 2 * d * a) + AttentionFlops(l, l) + AttentionFlops(l, s));
        return encoder + decoder + (2 * l * d * Vocabulary.Size);
    }

    public override int Targets(GenerativeExample example) => 1;

    public override IBeamDecoder StartSearch(Tensor input)
    {
        var (memory, mask) = Encode(input);                                              // [B, S, D], [B, 1, S]: shared by each user's K beams
        return new TigerSearch(this, StartDecoding(memory, mask), input.shape[0]);
    }

    public override (Tensor Loss, long Targets) Loss(int[][] ids, IReadOnlyList<GenerativeExample> batch, Device device)
    {
        var input = Inputs(ids, [.. batch.Select(e => (e.User, e.History))]).to(device);
        var targets = IdTokens(ids, [.. batch.Select(e => e.Target)]).to(device);       // [B, L]
        return (Loss(input, targets), targets.numel());
    }

    /// <summary>Encoder states: input [B, S] token ids (0 = padding) -> ([B, S, D], key mask [B, 1, S]).</summary>
    public (Tensor Memory, Tensor MemoryMask) Encode(Tensor input)
    {
        var s = input.shape[1];
        var valid = input.ne(SemanticIdVocabulary.Padding);                              // [B, S]
        var mask = valid.unsqueeze(1);                                                   // [B, 1, S]
        var bias = encoderBias.Compute(s, s, input.device);                              // [1, H, S, S]
        var x = dropout.forward(tokens.forward(input));                                  // [B, S, D]
        for (var i = 0; i < encoderSelf.Count; i++)
        {
            var n = encoderNorms[2 * i].forward(x);
            x = x + dropout.forward(encoderSelf[i].Forward(n, n, mask, bias));
            x = x + dropout.forward(encoderFfn[i].forward(encoderNorms[(2 * i) + 1].forward(x)));
        }

        return (dropout.forward(encoderFinal.forward(x)), mask);
    }

    /// <summary>
    /// Next-token logits at every decoder position: decoder input [B*K, T] (start token first) -> [B*K, T, V],
    /// for memory [B, S, D] shared by K consecutive rows (K beams of one user; K = 1 in training). The
    /// cross-attention has no position bias and a per-key mask, so the K rows' queries attend to their
    /// user's memory as one row of K*T queries: the memory's keys and values are projected once, not K times.
    /// </summary>
    public Tensor Decode(Tensor decoderInput, Tensor memory, Tensor memoryMask)
    {
        var (rows, t) = (decoderInput.shape[0], decoderInput.shape[1]);
        var users = memory.shape[0];
        if (rows % users != 0)
        {
            throw new ArgumentException($"{rows} decoder rows cannot share {users} memories");
        }

        var causal = ones(t, t, dtype: @bool, device: decoderInput.device).tril().unsqueeze(0); // [1, T, T]
        var bias = decoderBias.Compute(t, t, decoderInput.device);                       // [1, H, T, T]
        var y = dropout.forward(tokens.forward(decoderInput));                           // [B*K, T, D]
        for (var i = 0; i < decoderSelf.Count; i++)
        {
            var layer = i;
            y = DecoderBlock(layer, y, n => decoderSelf[layer].Forward(n, n, causal, bias), decoderCross[layer].KeysValues(memory), memoryMask);
        }

        return head.forward(dropout.forward(decoderFinal.forward(y)));                   // [B*K, T, V]
    }

    /// <summary>
    /// Decoder block <paramref name="layer"/> on y [B*K, T, D]: pre-norm self-attention (the caller's:
    /// over the whole prefix, or over cached keys), cross-attention to the memory's keys/values
    /// [B, H, S, dh] with the K rows of a user as one row of K*T queries, feed-forward.
    /// </summary>
    private Tensor DecoderBlock(int layer, Tensor y, Func<Tensor, Tensor> selfAttention, (Tensor Keys, Tensor Values) memory, Tensor memoryMask)
    {
        var users = memoryMask.shape[0];
        y = y + dropout.forward(selfAttention(decoderNorms[3 * layer].forward(y)));
        var queries = decoderNorms[(3 * layer) + 1].forward(y).view(users, -1, y.shape[2]); // [B, K*T, D]
        y = y + dropout.forward(decoderCross[layer].Attend(queries, memory.Keys, memory.Values, memoryMask, null).view(y.shape));
        return y + dropout.forward(decoderFfn[layer].forward(decoderNorms[(3 * layer) + 2].forward(y)));
    }

    /// <summary>Starts incremental decoding against memory [B, S, D] and its key mask [B, 1, S]: each layer's memory keys and values are projected once.</summary>
    public DecoderCache StartDecoding(Tensor memory, Tensor memoryMask) =>
        new([.. decoderCross.Select(cross => cross.KeysValues(memory))], memoryMask);

    /// <summary>
    /// Incremental decoding (inference only): one more decoder token per row, tokens [B*K] -> next-token
    /// logits [B*K, V], the same as the last position of <see cref="Decode"/> over the whole prefix, but
    /// each token passes the decoder once: its self-attention keys and values go to the cache.
    /// </summary>
    public Tensor DecodeNext(Tensor lastTokens, DecoderCache cache)
    {
        if (training)
        {
            throw new InvalidOperationException("incremental decoding is for inference: call eval() first");
        }

        var position = cache.Length;
        var bias = decoderBias.Compute(1, position + 1, lastTokens.device, firstQuery: position); // [1, H, 1, P+1]
        var y = tokens.forward(lastTokens.view(-1, 1));                                  // [B*K, 1, D]
        for (var i = 0; i < decoderSelf.Count; i++)
        {
            var layer = i;
            y = DecoderBlock(layer, y, n =>
            {
                var (newKeys, newValues) = decoderSelf[layer].KeysValues(n);             // [B*K, H, 1, dh]
                var (keys, values) = cache.Append(layer, newKeys, newValues);            // [B*K, H, P+1, dh]: causal by construction
                return decoderSelf[layer].Attend(n, keys, values, null, bias);
            }, cache.Cross[layer], cache.MemoryMask);
        }

        return head.forward(decoderFinal.forward(y)).squeeze(1);                         // [B*K, V]
    }

    /// <summary>Teacher-forced cross-entropy of the target IDs: input [B, S], targets [B, L] (token ids) -> scalar.</summary>
    public Tensor Loss(Tensor input, Tensor targets)
    {
        var (memory, mask) = Encode(input);
        var start = full(targets.shape[0], 1, SemanticIdVocabulary.DecoderStart, dtype: int64, device: targets.device);
        var logits = Decode(cat([start, targets[.., ..^1]], dim: 1), memory, mask);      // decoder input [B, L] -> [B, L, V]
        return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[2]), targets.reshape(-1));
    }
}
