using GenRec.Configuration;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Models.Tiger;

/// <summary>
/// A generative retrieval model over semantic IDs: P(next item's ID | user, history) = prod_p P(c_p | c_&lt;p, user, history).
/// <see cref="TigerModel"/> (encoder-decoder), <see cref="DecoderOnlyGenerator"/> and <see cref="ParallelCodeGenerator"/> (RPG)
/// share the vocabulary, the trie, the metrics and the checkpoint (the first two also the beam search); each lays out its
/// own input, trains its own way and generates its own way.
/// </summary>
internal abstract class SemanticIdGenerator(string name, TigerConfig config, SemanticIdVocabulary vocabulary) : nn.Module(name)
{
    public TigerConfig Config { get; } = config;

    public SemanticIdVocabulary Vocabulary { get; } = vocabulary;

    /// <summary>The model's input for generation: rows (user, history oldest first; user -1: none) -> token ids [B, S] (0 = padding).</summary>
    public abstract Tensor Inputs(int[][] ids, IReadOnlyList<(int User, int[] History)> rows);

    /// <summary>Starts decoding for input [B, S] (<see cref="Inputs"/>); inference only (evaluation mode, no gradients).</summary>
    public abstract IBeamDecoder StartSearch(Tensor input);

    /// <summary>
    /// For each input row [B, S], up to <paramref name="beams"/> generated IDs, best first: trie-constrained (only the trie's
    /// items, less those below <paramref name="exhausted"/> nodes) or not. Autoregressive models run <see cref="BeamSearch"/>.
    /// </summary>
    public virtual List<GeneratedId>[] Generate(Tensor input, SemanticIdTrie trie, int beams, bool constrained, IReadOnlyList<HashSet<SemanticIdTrie.Node>?>? exhausted = null) =>
        BeamSearch.Generate(this, input, trie, beams, constrained, exhausted);

    /// <summary>Mean cross-entropy over the batch's target codes, and how many target codes it averages.</summary>
    public abstract (Tensor Loss, long Targets) Loss(int[][] ids, IReadOnlyList<GenerativeExample> batch, Device device);

    /// <summary>
    /// Multiply-add FLOPs (2 per multiply-add) of one training example's forward pass, as computed (padding aside): the
    /// projections, attention products and head. Training costs about three times as much (the backward pass twice).
    /// </summary>
    public abstract double ForwardFlops(GenerativeExample example);

    /// <summary>Target items of one training example: one for the encoder-decoder, every item after the first for the decoder-only model.</summary>
    public abstract int Targets(GenerativeExample example);

    /// <summary>Forward FLOPs of one block's projections and feed-forward for <paramref name="tokens"/> tokens: 2 x T x (4 d A + 2 d F), A = heads x head dim.</summary>
    protected double BlockFlops(double tokens) => 2 * tokens * ((4.0 * Config.ModelDim * Config.NumHeads * Config.HeadDim) + (2.0 * Config.ModelDim * Config.FfnDim));

    /// <summary>Forward FLOPs of attention products, <paramref name="queries"/> x <paramref name="keys"/> (scores and weighted values): 2 x 2 x Q x K x A.</summary>
    protected double AttentionFlops(double queries, double keys) => 4 * queries * keys * Config.NumHeads * Config.HeadDim;

    /// <summary>
    /// log P(candidate's ID | history) of candidate IDs [C, L] (token ids) after one input row [1, S]: the score a beam
    /// reaching each candidate has, decoded as the beam search decodes (the C candidates share the input's states).
    /// </summary>
    public virtual Tensor LogLikelihoods(Tensor input, Tensor candidates)
    {
        var decoder = StartSearch(input);
        var logp = decoder.Next(null).log_softmax(-1);                                   // [1, V']
        var c = candidates.shape[0];
        decoder.Reorder(zeros(c, dtype: int64, device: candidates.device));             // C rows continue from the one input row
        var total = logp.expand(c, -1).gather(1, candidates[.., ..1]).squeeze(1);        // [C]
        for (var p = 1; p < candidates.shape[1]; p++)
        {
            logp = decoder.Next(candidates[.., p - 1]).log_softmax(-1);                 // [C, V']
            total = total + logp.gather(1, candidates[.., p..(p + 1)]).squeeze(1);
        }

        return total;
    }

    /// <summary>The model <paramref name="config"/>'s architecture names, with the sizes checked against it.</summary>
    public static SemanticIdGenerator Create(TigerConfig config, SemanticIdVocabulary vocabulary)
    {
        if (config.Architecture != GenerativeArchitecture.EncoderDecoder && config.EncoderLayers != 0)
        {
            throw new ArgumentException($"model.encoder_layers is {config.EncoderLayers}: a {ClosedChoice.Name(config.Architecture)} model has no encoder; set it to 0 (its depth is model.decoder_layers)");
        }

        if (config.Architecture == GenerativeArchitecture.DecoderOnly)
        {
            if (!config.InputCollisionCode)
            {
                throw new ArgumentException("model.input_collision_code is false: a decoder_only model reads back every code it generates, the collision code too; leave it true");
            }

            return new DecoderOnlyGenerator(config, vocabulary);
        }

        if (config.Architecture == GenerativeArchitecture.ParallelCodes)
        {
            return new ParallelCodeGenerator(config, vocabulary);
        }

        return new TigerModel(config, vocabulary);
    }

    /// <summary>Token ids [B, L] of the items' semantic IDs.</summary>
    public Tensor IdTokens(int[][] ids, IReadOnlyList<int> items) =>
        tensor(items.SelectMany(item => ids[item].Select((c, p) => (long)Vocabulary.Token(p, c))).ToArray()).view(items.Count, Vocabulary.IdLength);
}
