using GenRec.Configuration;
using GenRec.Compute;
using GenRec.Models.Modules;
using GenRec.Models.Preprocessors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenRec.Models.Ranking;

/// <summary>
/// HSTU generative ranking (Zhai et al., 2024): the history is a sequence of interleaved item and
/// action tokens <c>[i_1, a_1, ..., i_N, a_N]</c>; a candidate item is a token placed after the
/// history it may see, and a small multi-task head reads the candidate's state to predict the actions
/// (target-aware: the candidate attends to the history, and the history's attention to it is masked).
///
/// Attention pattern over <c>[history (2N tokens) | candidates (M tokens)]</c>:
/// history token i reads history tokens j &lt;= i (causal); candidate c reads the first
/// <c>2 * prefix_c</c> history tokens and itself, never the other candidates. So M candidates are
/// scored in one pass and each score equals scoring that candidate alone (the paper's M-FALCON),
/// and in training the item token i_t is the positive candidate of step t while sampled negatives
/// appended with prefix t - 1 share its history.
///
/// Position ids: history token k gets k, a candidate gets <c>2 * prefix</c> (the slot of the next
/// item token). The attention divisor is the fixed padded length <c>2 * MaxHistory</c>, so scores do
/// not depend on how many candidates share the pass.
///
/// With user features (<see cref="FeatureConfig"/>), F feature tokens come first: every valid token reads
/// the known ones (features hold from the start), they read only each other causally, take no position
/// embedding, count as the first F positions of the relative bias (history and candidates shift by F), and
/// take the first history item's time. Their states are never read by the task head.
/// </summary>
internal sealed class HstuRanker : nn.Module
{
    private readonly ItemEmbedding items;
    private readonly Embedding actions;
    private readonly Embedding positions;
    private readonly ModuleList<HstuBlock> blocks = new();
    private readonly ModuleList<RelativeAttentionBias> biases = new();
    private readonly Sequential head;
    private readonly FastDropout dropout;
    private readonly double scale;
    private readonly UserFeatureTokens? userTokens;

    public HstuRanker(RankingConfig config, int numItems, int numTasks) : base(nameof(HstuRanker))
    {
        Config = config;
        NumItems = numItems;
        NumTasks = numTasks;
        var d = config.EmbeddingDim;
        if (config.Features is { User.Count: > 0 } features)
        {
            userTokens = new UserFeatureTokens(features.UserCardinalities
                ?? throw new ArgumentException("ranking model.features: the user features' cardinalities come from the data; train through the trainer"), d, config.Dropout);
        }

        var featureTokens = userTokens?.Count ?? 0;
        var maxTokens = (2 * config.MaxHistory) + 1;
        items = new ItemEmbedding(numItems, d, features: config.Features);
        actions = nn.Embedding(RatingLevels.Count + 1, d, padding_idx: 0);
        positions = nn.Embedding(maxTokens, d);
        using (no_grad())
        {
            TruncatedNormal.Fill(actions.weight!, mean: 0, std: 0.02, a: -0.04, b: 0.04);
            actions.weight![0].zero_();
            TruncatedNormal.Fill(positions.weight!, mean: 0, std: 0.02, a: -0.04, b: 0.04);
        }

        var headDim = d / config.NumHeads;
        for (var i = 0; i < config.NumBlocks; i++)
        {
            var bias = new RelativeAttentionBias(maxTokens + featureTokens, usePosition: true, config.TimeBias ? TimeBuckets.Log : TimeBuckets.None, numBuckets: 128);
            biases.Add(bias);
            blocks.Add(new HstuBlock(d, config.NumHeads, headDim, headDim, config.Dropout, 2 * config.MaxHistory, bias, divideByUserLength: false));
        }

        head = nn.Sequential(nn.Linear(d, d), nn.SiLU(), nn.Linear(d, numTasks));
        dropout = new FastDropout(config.Dropout);
        scale = Math.Sqrt(d);
        RegisterComponents();
    }

    public RankingConfig Config { get; }

    public int NumItems { get; }

    public int NumTasks { get; }

    /// <summary>User feature tokens per user (0 without user features).</summary>
    public int UserFeatureCount => userTokens?.Count ?? 0;

    /// <summary>Sets the item feature's item-to-values map (rows: items, padding row 0 included).</summary>
    public void LoadItemFeatures(int[][] values) =>
        (items.Feature ?? throw new InvalidOperationException("this model has no item feature")).Load(values);

    /// <summary>
    /// Task logits at every history item token ([B, N, T]: item i_t as the candidate after the first
    /// t - 1 items) and at every appended candidate ([B, M, T]).
    /// </summary>
    public (Tensor HistoryLogits, Tensor CandidateLogits) Forward(RankingInput input)
    {
        input = input.To(ComputeDevice.DeviceOf(this));                                   // host-built inputs, copied once
        var (b, n) = (input.Ids.shape[0], input.Ids.shape[1]);
        var m = input.Candidates.shape[1];
        var d = Config.EmbeddingDim;
        var device = input.Ids.device;

        // Tokens: [i_1, a_1, ..., i_N, a_N | c_1 .. c_M]
        var history = stack([items.forward(input.Ids), actions.forward(input.Actions)], dim: 2).view(b, 2 * n, d); // [B, 2N, D]
        var tokens = cat([history, items.forward(input.Candidates)], dim: 1) * scale;                            // [B, 2N + M, D]
        var historyValid = input.Ids.ne(0).repeat_interleave(2, dim: 1);                                       // [B, 2N]
        var valid = cat([historyValid, input.Candidates.ne(0)], dim: 1);                                        // [B, T]
        var tokenPositions = cat([arange(2 * n, device: device).unsqueeze(0).expand(b, -1), input.Prefix * 2], dim: 1); // [B, T]
        if (Config.HistoryAware)
        {
            tokens = tokens + positions.forward(tokenPositions);
        }

        tokens = dropout.forward(tokens) * valid.unsqueeze(-1).to(tokens.dtype);

        var allowed = AttentionPattern(input, historyValid, valid);                                            // [B, T, T]
        Tensor? times = null;
        if (Config.TimeBias && input.Times is { } historyTimes && input.CandidateTimes is { } candidateTimes)
        {
            times = cat([historyTimes.repeat_interleave(2, dim: 1), candidateTimes], dim: 1);                   // [B, T]
        }

        var f = 0L;
        if (userTokens is not null)
        {
            // F feature tokens first: read by every valid token, reading each other causally; positions 0..F-1 of the bias.
            f = userTokens.Count;
            var values = input.UserFeatures ?? zeros(b, f, dtype: int64, device: device);                     // [B, F]
            var known = values.ne(0);                                                                          // [B, F]
            tokens = cat([userTokens.forward(values).to(tokens.dtype), tokens], 1);                          // [B, F + T, D]: unknown (0) embeds to zeros
            var t = allowed.shape[1];
            var featureRows = cat([ones(f, f, dtype: @bool, device: device).tril().unsqueeze(0).expand(b, -1, -1).logical_and(known.unsqueeze(1)).logical_or(eye(f, dtype: @bool, device: device).unsqueeze(0)),
                zeros(b, f, t, dtype: @bool, device: device)], 2);                                            // [B, F, F + T]
            var tokenRows = cat([known.unsqueeze(1).expand(-1, t, -1).logical_and(valid.unsqueeze(-1)), allowed], 2); // [B, T, F + T]
            allowed = cat([featureRows, tokenRows], 1);                                                        // [B, F + T, F + T]
            valid = cat([known, valid], 1);
            tokenPositions = cat([arange(f, device: device).unsqueeze(0).expand(b, -1), tokenPositions + f], 1);
            times = times is null ? null : cat([times.narrow(1, 0, 1).expand(-1, f), times], 1);
        }

        var divisor = full(1, 2 * Config.MaxHistory, dtype: tokens.dtype, device: device);
        var mask = valid.unsqueeze(-1).to(tokens.dtype);
        for (var i = 0; i < blocks.Count; i++)
        {
            var rab = biases[i].ComputeAt(tokenPositions, times, times);                                       // [B, T, T]
            tokens = blocks[i].Attend(tokens, allowed, rab, divisor) * mask;
        }

        var logits = head.forward(f == 0 ? tokens : tokens.narrow(1, f, tokens.shape[1] - f));                // [B, T, tasks]
        return (logits[.., TensorIndex.Slice(0, 2 * n, 2)], logits[.., TensorIndex.Slice(2 * n, null)]);      // [B, N, tasks], [B, M, tasks]
    }

    // [B, T, T]: which key each query may read.
    private Tensor AttentionPattern(RankingInput input, Tensor historyValid, Tensor valid)
    {
        var (b, n2) = (historyValid.shape[0], historyValid.shape[1]);
        var m = input.Candidates.shape[1];
        var t = n2 + m;
        var device = valid.device;
        var self = eye(t, dtype: @bool, device: device).unsqueeze(0).logical_and(valid.unsqueeze(1));        // [B, T, T]
        if (!Config.HistoryAware)
        {
            return self; // the baseline: each token sees only itself
        }

        var keyIndex = arange(n2, device: device).view(1, 1, n2);                                              // [1, 1, 2N]
        var historyKeys = keyIndex.le(arange(n2, device: device).view(1, n2, 1));                              // [1, 2N, 2N] causal
        var candidateKeys = keyIndex.lt((input.Prefix * 2).unsqueeze(-1));                                   // [B, M, 2N]
        var reads = cat([historyKeys.expand(b, -1, -1), candidateKeys], dim: 1).logical_and(historyValid.unsqueeze(1)); // [B, T, 2N]
        var readsHistory = cat([reads, zeros(b, t, m, dtype: @bool, device: device)], dim: 2);                // [B, T, T]
        return readsHistory.logical_or(self);
    }
}
