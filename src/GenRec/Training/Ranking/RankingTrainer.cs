using GenRec.Checkpoints;
using GenRec.Configuration;
using GenRec.Compute;
using System.Text.Json;
using GenRec.Data;
using GenRec.Data.Splits;
using GenRec.Evaluation.Ranking;
using GenRec.Models.Ranking;
using GenRec.Util;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Training.Ranking;

/// <summary>
/// Trains <see cref="HstuRanker"/>: per task binary cross-entropy at every step of every training
/// history (the item token is the positive candidate, one sampled item the negative; like on the
/// real items only), AdamW, validation engage AUC per epoch with early stopping, atomic
/// <c>last.ckpt</c> (resumable) and <c>best.ckpt</c>, <c>metrics.jsonl</c> and a PNG curve, then
/// test metrics of the best epoch. Same seed and config give the same metrics on CPU.
/// </summary>
internal static class RankingTrainer
{
    public static TrainingResult Run(RankingRunConfig config, SequenceDataset data, string outDir, bool resume = false, ITrainingObserver? observer = null, CancellationToken cancel = default)
    {
        observer ??= new SilentObserver();
        using var folderLock = RunFolderLock.Acquire(outDir);
        var (features, userFeatures, itemFeatures) = FeatureResolution.Resolve(config.Model.Features, data);
        config = config with { Model = config.Model with { Features = features } };
        AtomicFile.WriteAllText(Path.Combine(outDir, "config.json"), config.ToJson());
        var split = SequenceSplit.Create(data, SplitKind.LeaveOneOut);
        var trainable = Enumerable.Range(0, split.Train.Length).Where(u => split.Train[u].Length >= 2).ToArray();
        if (trainable.Length == 0 || split.Valid.Length == 0)
        {
            throw new InvalidOperationException($"{data.Name}: no user has enough items for training and validation");
        }

        var tc = config.Train;
        var rated = data.Ratings is not null;
        var tasks = RankingTasks.Names(rated);
        var device = ComputeDevice.Prepare(config.Compute);
        var bf16 = MixedPrecision.On(config.Compute.Precision);
        manual_seed(config.Seed);
        var model = new HstuRanker(config.Model, data.NumItems, tasks.Length);
        if (itemFeatures is not null)
        {
            model.LoadItemFeatures(itemFeatures.Values);
        }

        model.to(device);                                                                // initialised on the host, then moved
        observer.Message($"device {device}{(bf16 ? ", bf16 matmuls" : "")}");
        var optimizer = optim.AdamW(model.parameters(), tc.LearningRate, 0.9, 0.98, 1e-8, tc.WeightDecay);
        var times = config.Model.TimeBias ? split.TrainTimestamps : null;
        var histories = split.Train.Select((s, u) => RankingHistory.From(s, split.TrainRatings?[u], times?[u], config.Model.MaxHistory) with { UserFeatures = userFeatures?.Values[u] }).ToArray();
        if (tc.HardNegativeShare is < 0 or > 1)
        {
            throw new ArgumentException($"train.hard_negative_share: {tc.HardNegativeShare} is outside 0..1");
        }

        var pools = tc.HardNegativesFrom is { } retrieval ? HardNegativePools.Build(retrieval, data, split, tc.HardNegativePool, observer.Message) : null;

        var state = new TrainingState();
        var lastPath = Path.Combine(outDir, "last.ckpt");
        if (resume && File.Exists(lastPath))
        {
            state = RankingCheckpoint.Restore(lastPath, model, optimizer).State;
            observer.Message($"resuming after epoch {state.Epoch} (best engage AUC {state.BestValidationMetric:F4} at epoch {state.BestEpoch})");
        }

        int[] order = [];
        Random rng = null!;
        var loop = new EpochLoop
        {
            Budget = tc,
            Seed = config.Seed,
            MetricLabel = "engage AUC",
            MetricKey = "engage_auc",
            OutDir = outDir,
            CurveTitle = $"{config.Name}: HSTU ranking on {data.Name}",
            CurveMetric = "engage_auc",
            Observer = observer,
            BeginEpoch = epoch =>
            {
                rng = new Random((config.Seed * 7919) + epoch);
                order = trainable.OrderBy(_ => rng.Next()).ToArray();
                model.train();
                return (order.Length + tc.BatchSize - 1) / tc.BatchSize;
            },
            Step = (epoch, s) =>
            {
                var rows = order.Skip(s * tc.BatchSize).Take(tc.BatchSize).ToArray();
                using var scope = NewDisposeScope();
                using var precision = MixedPrecision.Use(bf16);
                var batch = RankingBatcher.Build(rows.Select(u => histories[u]).ToArray(), rows.Select(u => split.TrainRatings?[u]).ToArray(), config.Model.LikeThreshold, data.NumItems, rng, model.UserFeatureCount, pools is null ? null : [.. rows.Select(u => pools[u])], tc.HardNegativeShare).To(device);
                var (positive, negative) = model.Forward(batch.Input);                          // [B, N, tasks] x2
                return (OptimizerStep.Apply(optimizer, Loss(positive, negative, batch)), rows.Length);
            },
            Validate = _ => RankingEvaluator.Evaluate(model, data, split.Valid, tc.EvalNegatives, config.Seed, userFeatures),
            Save = (path, saved, withOptimizer) => RankingCheckpoint.Save(path, new RankingCheckpoint.Header(config, data.NumItems, tasks, saved), model, withOptimizer ? optimizer : null),
        };
        var run = loop.Run(state, cancel);
        state = run.State;
        var stopReason = run.StopReason;
        var bestPath = loop.BestPath;
        if (!File.Exists(bestPath))
        {
            throw new InvalidOperationException($"no epoch finished, so there is no model to test ({stopReason})");
        }

        using var opened = Checkpoint.Open(bestPath, new() { Device = device, Dataset = data });
        using var best = opened.TakeRanker("testing");
        var bestHeader = opened.Ranking!;
        var test = RankingEvaluator.Evaluate(best, data, split.Test, tc.EvalNegatives, config.Seed, userFeatures);
        var bestValidation = run.Records.FirstOrDefault(r => r.Epoch == bestHeader.State.BestEpoch)?.Validation;
        AtomicFile.WriteAllText(Path.Combine(outDir, "result.json"), JsonSerializer.Serialize(new { test, best_epoch = bestHeader.State.BestEpoch, stop_reason = stopReason }, RunConfig.Json));
        return new TrainingResult(test, bestValidation, bestHeader.State.BestEpoch, state.Epoch, state.Step, run.TrainSeconds, run.SamplesPerSecond, Interrupted: false, bestPath) { StopReason = stopReason };
    }


    // Mean BCE of engage over real and sampled candidates, plus mean BCE of like over real ones.
    private static Tensor Loss(Tensor positive, Tensor negative, RankingBatch batch)
    {
        var valid = batch.Valid.to(positive.dtype);                                                  // [B, N]
        var count = valid.sum().clamp_min(1);
        var engage = (nn.functional.binary_cross_entropy_with_logits(positive[.., .., RankingTasks.Engage], ones_like(valid), reduction: nn.Reduction.None)
            + nn.functional.binary_cross_entropy_with_logits(negative[.., .., RankingTasks.Engage], zeros_like(valid), reduction: nn.Reduction.None)) * valid;
        var loss = engage.sum() / (2 * count);
        if (batch.Likes is { } likes)
        {
            var like = nn.functional.binary_cross_entropy_with_logits(positive[.., .., RankingTasks.Like], likes, reduction: nn.Reduction.None) * valid;
            loss = loss + (like.sum() / count);
        }

        return loss;
    }
}
