using GenRec.Training.LlmEsr;

namespace GenRec.Configuration;

/// <summary>
/// LLM-ESR training (Liu et al., NeurIPS 2024), with the research code's Beauty defaults: item text
/// embeddings from <see cref="Embeddings"/>, ID embeddings from their PCA, and retrieval-augmented
/// self-distillation: each user's representation is pulled (weight <see cref="Alpha"/>) towards the
/// detached mean representation of its <see cref="SimilarUsers"/> most similar users, found by cosine
/// similarity of their semantic-view profiles. The model's side is <see cref="SemanticViewConfig"/>.
/// </summary>
public sealed record LlmEsrConfig
{
    /// <summary>
    /// Item text embeddings: a float32 <c>.npy</c> with one row per item in dense-id order (any
    /// language model's embeddings), or <c>glove</c> for the built-in SIF encoder over GloVe vectors
    /// (<c>scripts/install-glove.sh</c>) applied to each item's title, categories, brand and price.
    /// </summary>
    public string Embeddings { get; init; } = "glove";

    /// <summary>GloVe vectors for <c>glove</c> (default: where scripts/install-glove.sh puts them).</summary>
    public string? Vectors { get; init; }

    /// <summary>Initialise the ID embeddings from the PCA of the text embeddings.</summary>
    public bool PcaInit { get; init; } = true;

    /// <summary>
    /// Rescale the PCA projections to this overall standard deviation (e.g. 0.02, the ID table's own
    /// init scale, so the ID view learns at the baseline's pace); null keeps them as they are (the research code).
    /// </summary>
    public double? PcaStd { get; init; }

    /// <summary>Similar users retrieved per user (by cosine of mean semantic item embeddings).</summary>
    public int SimilarUsers { get; init; } = 10;

    /// <summary>Of those, how many are run as teachers at each step (sampled without replacement; all by default).</summary>
    public int TeachersPerStep { get; init; } = 10;

    /// <summary>
    /// When teacher representations are computed: <c>step</c> (as the research code: the current model,
    /// in training mode, on <see cref="TeachersPerStep"/> sampled similar users of each batch user) or
    /// <c>epoch</c> (every user's representation once at the start of each epoch, in evaluation mode,
    /// and the mean over all similar users; one inference pass per epoch instead of a teacher forward per
    /// step, several times cheaper on CPU; the teacher lags by at most an epoch).
    /// </summary>
    public TeacherRefresh TeacherRefresh { get; init; } = TeacherRefresh.Step;

    /// <summary>
    /// Which part of a similar user's training history its teacher state reads: <c>drop_last</c> (default: all but the
    /// last item, as the research code's <c>_get_user_seq</c> builds <c>sim_seq</c> from <c>inter[:-1]</c>, the same
    /// stage as the student, whose input also stops before its last training item) or <c>whole</c> (every training
    /// item; GenRec's earlier teachers).
    /// </summary>
    public TeacherHistory TeacherHistory { get; init; } = TeacherHistory.DropLast;

    /// <summary>Weight of the self-distillation loss.</summary>
    public double Alpha { get; init; } = 0.1;

    /// <summary><c>mse</c> (the paper's knowledge distillation) or <c>infonce</c> (contrastive, with a learned temperature).</summary>
    public DistillationAlignment Alignment { get; init; } = DistillationAlignment.Mse;

    /// <summary>Weight of the item regularisation between adapted semantic and ID embeddings of the batch's items; 0 turns it off.</summary>
    public double Beta { get; init; }
}
