using GenRec.Models;
using static TorchSharp.torch;

namespace GenRec.Training.Losses;

/// <summary>
/// Cross-entropy over the whole catalogue (as SASRec reproductions trained with full CE):
/// <c>L = -(1/M) sum_m [(1 - eps) log p_m(pos_m) + (eps / I) sum_i log p_m(i)]</c>, with
/// <c>p_m = softmax(s(u_m, .) / T)</c> over items 1..I (padding excluded; over the <see cref="Vocabulary"/> when the run
/// leaves items out of its catalogue) and label smoothing eps.
/// <para>
/// Memory is bounded by scoring at most <see cref="MaxLogits"/> logits at a time: for a dot-product
/// model the states [M, D] and item embeddings [I + 1, D] are cut from the graph, each chunk of
/// positions is scored and back-propagated to them on its own (its [C, I + 1] logits then freed), and
/// the returned value carries their accumulated gradients back to the encoder and the embedding table
/// through one term <c>&lt;states, dL/dstates&gt; + &lt;items, dL/ditems&gt;</c> (minus its own value): the same
/// loss and gradients as one unchunked pass, by autograd throughout. A learned similarity
/// (Mixture-of-Logits) has parameters of its own and is scored unchunked.
/// </para>
/// </summary>
internal sealed class FullSoftmaxLoss(double temperature, double labelSmoothing, long maxLogits = 32L << 20) : IRetrievalLoss
{
    public double Temperature { get; } = temperature;

    public double LabelSmoothing { get; } = labelSmoothing;

    public long MaxLogits { get; } = maxLogits;

    /// <summary>The items the softmax runs over when some are outside the run's catalogue; null: items 1..I.</summary>
    public TrainingVocabulary? Vocabulary { get; init; }

    // states: [M, D], positives: [M] (dense ids 1..I) -> scalar
    public Tensor Compute(SequentialRecommender model, Tensor states, Tensor positives, Generator generator)
    {
        var items = model.AllItemEmbeddings();                                          // [I + 1, D]
        var m = states.shape[0];
        var chunk = Math.Max(1, MaxLogits / items.shape[0]);
        if (m <= chunk || model.HasLearnedSimilarity)
        {
            return Sum(model, states, items, positives) / m;
        }

        var stateLeaf = states.detach().requires_grad_(true);                           // [M, D]
        var itemLeaf = items.detach().requires_grad_(true);                             // [I + 1, D]
        var total = zeros([], dtype: states.dtype, device: states.device);
        for (long start = 0; start < m; start += chunk)
        {
            using var scope = NewDisposeScope();
            var end = Math.Min(m, start + chunk);
            var rows = TensorIndex.Slice(start, end);
            var part = Sum(model, stateLeaf[rows], itemLeaf, positives[rows]) / m;
            part.backward();
            total.add_(part.detach());
        }

        var link = (states * stateLeaf.grad!).sum() + (items * itemLeaf.grad!).sum();   // gradient: exactly the accumulated ones
        return link - link.detach() + total;
    }

    // Summed cross-entropy of one chunk: states [C, D], items [I + 1, D], positives [C] -> scalar
    private Tensor Sum(SequentialRecommender model, Tensor states, Tensor items, Tensor positives)
    {
        var logits = model.SimilarityFunction.Shared(states, items)[.., 1..] / Temperature; // [C, I]: padding column dropped
        if (Vocabulary is { } vocabulary)
        {
            // Over the trained items only: [C, V], each positive at its column among them.
            return nn.functional.cross_entropy(vocabulary.Columns(logits), vocabulary.ColumnOf(positives), reduction: nn.Reduction.Sum, label_smoothing: LabelSmoothing);
        }

        return nn.functional.cross_entropy(logits, positives - 1, reduction: nn.Reduction.Sum, label_smoothing: LabelSmoothing);
    }
}
