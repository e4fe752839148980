using GenRec.Configuration;
using GenRec.Models.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenRec.Models.Tiger;

/// <summary>
/// The causal stack the decoder-only and the parallel-code generators share: a table of code-token embeddings and
/// <c>model.decoder_layers</c> T5 decoder blocks without cross-attention (pre-norm RMSNorm, causal relative position bias
/// shared by the layers, ReLU feed-forward), then RMSNorm. What a position reads (a code token, or an item as the mean
/// of its codes) and what it predicts is the subclass's.
/// </summary>
internal abstract class CausalCodeStack : SemanticIdGenerator
{
    private protected readonly Embedding tokens;
    private protected readonly ModuleList<T5Attention> attention = new();
    private protected readonly ModuleList<T5FeedForward> feedForward = new();
    private protected readonly ModuleList<RmsNorm> norms = new();
    private protected readonly RmsNorm final;
    private protected readonly T5RelativeBias positionBias;
    private protected readonly FastDropout dropout;

    /// <param name="tokenRows">Rows of the embedding table (token ids below it; 0 is padding).</param>
    protected CausalCodeStack(string name, TigerConfig config, SemanticIdVocabulary vocabulary, int tokenRows) : base(name, config, vocabulary)
    {
        var d = config.ModelDim;
        tokens = nn.Embedding(tokenRows, d, padding_idx: SemanticIdVocabulary.Padding);
        for (var i = 0; i < config.DecoderLayers; i++)
        {
            attention.Add(new T5Attention(d, config.NumHeads, config.HeadDim, config.Dropout));
            feedForward.Add(new T5FeedForward(d, config.FfnDim, config.Dropout));
            norms.Add(new RmsNorm(d));
            norms.Add(new RmsNorm(d));
        }

        final = new RmsNorm(d);
        positionBias = new T5RelativeBias(config.NumHeads, config.RelativeBuckets, config.RelativeMaxDistance, bidirectional: false);
        dropout = new FastDropout(config.Dropout);
    }

    /// <summary>
    /// Hidden states of embedded positions [B, T, D] whose real ones are <paramref name="valid"/> [B, T] -> [B, T, D]: each
    /// place attends to itself and the real places before it. With <paramref name="keysValues"/>, each layer's keys and
    /// values [B, H, T, dh] are added to it (a prefix to decode after).
    /// </summary>
    protected Tensor Stack(Tensor embedded, Tensor valid, List<(Tensor Keys, Tensor Values)>? keysValues = null)
    {
        var t = embedded.shape[1];
        var causal = ones(t, t, dtype: @bool, device: embedded.device).tril().unsqueeze(0); // [1, T, T]
        var mask = causal.logical_and(valid.unsqueeze(1));                               // [B, T, T]
        var bias = positionBias.Compute(t, t, embedded.device);                          // [1, H, T, T]
        var x = dropout.forward(embedded);                                               // [B, T, D]
        for (var i = 0; i < attention.Count; i++)
        {
            var n = norms[2 * i].forward(x);
            var (keys, values) = attention[i].KeysValues(n);                             // [B, H, T, dh]
            keysValues?.Add((keys, values));
            x = x + dropout.forward(attention[i].Attend(n, keys, values, mask, bias));
            x = x + dropout.forward(feedForward[i].forward(norms[(2 * i) + 1].forward(x)));
        }

        return dropout.forward(final.forward(x));
    }

    /// <summary>
    /// One more embedded position per row [R, 1, D] after a cached prefix (inference): its hidden state [R, 1, D], equal to
    /// <see cref="Stack"/>'s last place over the prefix and the row's positions; its keys and values go to the cache.
    /// </summary>
    protected Tensor StepAfterPrefix(Tensor embedded, DecoderCache cache)
    {
        if (training)
        {
            throw new InvalidOperationException("incremental decoding is for inference: call eval() first");
        }

        var position = cache.MemoryMask.shape[2] + cache.Length;                        // prefix P, then the row's positions so far
        var bias = positionBias.Compute(1, position + 1, embedded.device, firstQuery: position); // [1, H, 1, P + S]
        var y = embedded;                                                                // [R, 1, D]
        for (var i = 0; i < attention.Count; i++)
        {
            var n = norms[2 * i].forward(y);
            var (newKeys, newValues) = attention[i].KeysValues(n);                       // [R, H, 1, dh]
            var (ownKeys, ownValues) = cache.Append(i, newKeys, newValues);              // [R, H, S, dh]
            var (prefixKeys, prefixValues) = cache.Cross[i];                            // [B, H, P, dh]
            y = y + attention[i].AttendAfterSharedPrefix(n, prefixKeys, prefixValues, cache.MemoryMask, ownKeys, ownValues, bias);
            y = y + feedForward[i].forward(norms[(2 * i) + 1].forward(y));
        }

        return final.forward(y);
    }
}
