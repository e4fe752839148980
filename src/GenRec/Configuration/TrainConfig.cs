using GenRec.Training;

namespace GenRec.Configuration;

/// <summary>
/// Optimisation settings. Defaults follow generative-recommenders' ML-1M runs: AdamW (0.9, 0.98),
/// lr 1e-3, batch 128, sampled softmax with 128 local negatives at temperature 0.05.
/// </summary>
public sealed record TrainConfig() : TrainingSettings(batchSize: 128, epochs: 101, patience: 10)
{
    /// <summary>AdamW beta1.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>AdamW beta2.</summary>
    public double Beta2 { get; init; } = 0.98;

    /// <summary>
    /// <c>sampled_softmax</c> (default), <c>full_softmax</c> (cross-entropy over every item at
    /// <see cref="Temperature"/>, with <see cref="LabelSmoothing"/>; memory bounded by chunks of positions)
    /// or <c>bce</c> (one negative per position).
    /// </summary>
    public LossKind Loss { get; init; } = LossKind.SampledSoftmax;

    /// <summary>Label smoothing of <c>full_softmax</c> (0: none).</summary>
    public double LabelSmoothing { get; init; }

    /// <summary>
    /// Negatives for sampled softmax: <c>local</c> (uniform with replacement, per position, positive
    /// collisions masked), <c>local_shared</c> (one uniform draw shared by the batch; much cheaper
    /// on CPU) or <c>in_batch</c> (the other positives of the batch).
    /// </summary>
    public NegativeSampling Negatives { get; init; } = NegativeSampling.Local;

    /// <summary>Negatives per positive for sampled losses.</summary>
    public int NumNegatives { get; init; } = 128;

    /// <summary>Softmax temperature over cosine similarities.</summary>
    public double Temperature { get; init; } = 0.05;

    /// <summary>Validate every this many epochs (NDCG@10 on the validation cases).</summary>
    public int EvalEvery { get; init; } = 1;

    /// <summary>
    /// Which states of a causal model the loss supervises: <c>every_position</c> (default: the state after each item
    /// predicts the next one) or <c>last_position</c> (only the state after the whole input window, predicting the
    /// training sequence's last item: one target per user and epoch, as LLM-ESR's research code trains GRU4Rec,
    /// <c>GRU4Rec.forward</c> reading <c>log_feats[:, -1, :]</c>). Cloze models (BERT4Rec) take <c>every_position</c>.
    /// </summary>
    public SuperviseKind Supervise { get; init; } = SuperviseKind.EveryPosition;

    /// <summary>
    /// Whether only the last position is supervised, after checking that the target options fit the model:
    /// <c>last_position</c> on a cloze model, or <see cref="ClozeLastItem"/> /
    /// <see cref="ClozeReplace"/> on a causal one (<paramref name="encoder"/> names it) is an error.
    /// </summary>
    internal bool SupervisesLastOnly(bool causal, string encoder)
    {
        if (causal && (ClozeLastItem || ClozeReplace))
        {
            throw new ArgumentException($"train.cloze_last_item and train.cloze_replace are for cloze models (bert4rec); '{encoder}' is causal");
        }

        return (Supervise, causal) switch
        {
            (SuperviseKind.EveryPosition, _) => false,
            (SuperviseKind.LastPosition, true) => true,
            (SuperviseKind.LastPosition, false) => throw new ArgumentException("train.supervise: last_position is for causal models; a cloze model (bert4rec) supervises its masked positions"),
            _ => throw new ArgumentOutOfRangeException(nameof(Supervise), Supervise, "train.supervise"),
        };
    }

    /// <summary>Cloze training (BERT4Rec): probability that a position is masked and predicted.</summary>
    public double MaskProbability { get; init; } = 0.2;

    /// <summary>
    /// Cloze training: an epoch also has every user once with only the last item masked, after the random-mask copy
    /// (twice the rows per epoch), as LLM-ESR's research code builds it (<c>BertRecTrainDatasetAllUser</c>, whose length
    /// is twice the users').
    /// </summary>
    public bool ClozeLastItem { get; init; }

    /// <summary>
    /// Cloze training: a randomly masked position takes BERT's 80/10/10 rule ([mask], a uniform random item, or the item
    /// itself; a target in each case), as LLM-ESR's and BERT4Rec's research code; false puts [mask] at every one.
    /// </summary>
    public bool ClozeReplace { get; init; }

    /// <summary>Users per forward pass in validation and test.</summary>
    public int EvalBatchSize { get; init; } = 256;

    /// <summary>
    /// Each training batch runs as this many groups of rows of similar length, each padded only to
    /// its own longest row: the same loss and gradient as one padded batch, with less work on padding
    /// (1 pads the whole batch to its longest row). LLM-ESR runs use one group.
    /// </summary>
    public int LengthGroups { get; init; } = 4;

    /// <summary>
    /// Which history items validation and test rankings leave out: <c>whole</c> (default: every item of the
    /// history) or <c>input_window</c> (only the last max_sequence_length items, the model's input, as
    /// generative-recommenders' evaluation: research/data/eval.py masks <c>past_ids</c>, the truncated input).
    /// </summary>
    public HistoryFilter HistoryFilter { get; init; } = HistoryFilter.Whole;

    /// <summary>
    /// How the tested epoch is chosen: <c>validation</c> (default: the split's validation cases; a
    /// <c>last_item</c> split has none, so its last epoch is tested) or <c>second_to_last</c> (for
    /// <c>last_item</c> runs: each user's last training item as the validation target after the items
    /// before it; training is unchanged, so selection never looks at the test item).
    /// </summary>
    public SelectOn SelectOn { get; init; } = SelectOn.Validation;

    /// <summary>
    /// An earlier retrieval checkpoint (same model config, an older log) to start from instead of from nothing: its
    /// weights, and the rows of the items it knows (trained on, or added to its catalogue); new items start fresh, or
    /// from their text with <see cref="InitText"/> (<c>--init-from</c>).
    /// </summary>
    public string? InitFrom { get; init; }

    /// <summary>
    /// With <see cref="InitFrom"/>: item text vectors of this run's items (.npy from <c>genrec text embed</c>, [items + 1, T])
    /// from which each new item's row starts: the kNN content mapping over the rows of the items the checkpoint knows
    /// (the catalogue path's mapping). Null: new items start fresh (<c>--init-text</c>).
    /// </summary>
    public string? InitText { get; init; }

    /// <summary>Also test after every validation and record it in <c>metrics.jsonl</c> (never used to select).</summary>
    public bool TestEveryEpoch { get; init; }

    /// <summary>The evaluation options of this run's validation and test for a model reading <paramref name="maxSequenceLength"/> items.</summary>
    internal Evaluation.EvalOptions EvalOptions(int maxSequenceLength) => new()
    {
        BatchSize = EvalBatchSize,
        HistoryWindow = HistoryFilter == HistoryFilter.InputWindow ? maxSequenceLength : 0,
    };

    /// <summary>Validation on at most this many users (sampled with the seed); 0 for all.</summary>
    public int MaxValidationUsers { get; init; }
}
