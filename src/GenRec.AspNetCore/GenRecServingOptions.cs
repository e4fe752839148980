namespace GenRec.Hosting;

/// <summary>What <see cref="GenRecHostingExtensions.AddGenRec"/> serves, and the limits of its endpoints.</summary>
public sealed class GenRecServingOptions
{
    /// <summary>The retrieval checkpoint to serve (a training run's <c>best.ckpt</c>). Required.</summary>
    public string Checkpoint { get; set; } = "";

    /// <summary>An HSTU ranking checkpoint whose task probabilities <c>/rank</c> adds; none by default.</summary>
    public string? Ranker { get; set; }

    /// <summary><c>cpu</c>, <c>cuda</c>, <c>cuda:N</c> or <c>auto</c>.</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>Top-k index: <c>exact</c> or <c>hnsw</c>.</summary>
    public string Index { get; set; } = "exact";

    /// <summary>Longest accepted history, in items (400 above).</summary>
    public int MaxHistory { get; set; } = 2_000;

    /// <summary>Largest <c>k</c> of <c>/recommend</c>.</summary>
    public int MaxK { get; set; } = 1_000;

    /// <summary>Most candidates of one <c>/rank</c> request.</summary>
    public int MaxCandidates { get; set; } = 10_000;

    /// <summary>Bearer token (at least 16 characters) that <c>/reload</c> requires; without one, <c>/reload</c> answers 403.</summary>
    public string? AdminToken { get; set; }

    /// <summary>The folder <c>/reload</c> may load checkpoints from (default: the folder above the checkpoint's).</summary>
    public string? ModelRoot { get; set; }

    /// <summary>Known users whose query vectors are computed at load (the others on their first request).</summary>
    public int PrecomputeUsers { get; set; } = 50_000;
}
