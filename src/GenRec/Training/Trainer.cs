using System.Diagnostics;
using System.Text.Json;
using GenRec.Data;
using GenRec.Data.Splits;
using GenRec.Evaluation;
using GenRec.Models;
using GenRec.Training.Losses;
using GenRec.Util;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Training;

/// <summary>
/// Trains a sequential retrieval model: AdamW, autoregressive next-item loss at every position,
/// per-epoch validation with early stopping on NDCG@10, atomic checkpoints (<c>last.ckpt</c> for
/// resuming, <c>best.ckpt</c> for the best validation), a JSONL metrics log and a PNG curve, then
/// a test evaluation of the best model. Same seed and config give the same metrics on CPU.
/// </summary>
public static class Trainer
{
    public const string LastCheckpoint = "last.ckpt";
    public const string BestCheckpoint = "best.ckpt";

    public static TrainingResult Run(RunConfig config, SequenceDataset data, string outDir, bool resume = false, ITrainingObserver? observer = null, CancellationToken cancel = default)
    {
        observer ??= new SilentObserver();
        Directory.CreateDirectory(outDir);
        AtomicFile.WriteAllText(Path.Combine(outDir, "config.json"), config.ToJson());
        var split = SequenceSplit.Create(data, config.Data.Split);
        var trainable = Enumerable.Range(0, split.Train.Length).Where(u => split.Train[u].Length >= 2).ToArray();
        if (trainable.Length == 0)
        {
            throw new InvalidOperationException("no user has two or more training items; nothing to train on");
        }

        var tc = config.Train;
        manual_seed(config.Seed);
        var model = new SequentialRecommender(config.Model, data.NumItems);
        var optimizer = optim.AdamW(model.parameters(), tc.LearningRate, tc.Beta1, tc.Beta2, 1e-8, tc.WeightDecay);
        var loss = LossFactory.Create(tc);
        var timestamps = model.UsesTimestamps ? split.TrainTimestamps : null;
        var ratings = model.UsesRatings
            ? split.TrainRatings ?? throw new InvalidOperationException($"preprocessor '{config.Model.ResolvedPreprocessor}' needs ratings; {data.Name} has none")
            : null;
        var validation = ValidationCases(split, tc.MaxValidationUsers, config.Seed);
        var evalOptions = new EvalOptions { BatchSize = tc.EvalBatchSize, Ks = [10] };

        var lastPath = Path.Combine(outDir, LastCheckpoint);
        var bestPath = Path.Combine(outDir, BestCheckpoint);
        var logPath = Path.Combine(outDir, "metrics.jsonl");
        var records = new List<EpochRecord>();
        var state = new TrainingState();
        if (resume && File.Exists(lastPath))
        {
            state = Checkpoint.Restore(lastPath, model, optimizer).State;
            records.AddRange(ReadRecords(logPath).Where(r => r.Epoch <= state.Epoch));
            observer.Message($"resuming after epoch {state.Epoch} (step {state.Step}, best NDCG@10 {state.BestValidationNdcg10:F4} at epoch {state.BestEpoch})");
        }
        else if (File.Exists(logPath))
        {
            File.Delete(logPath);
        }

        var clock = Stopwatch.StartNew();
        var elapsedBefore = state.ElapsedSeconds;
        double Elapsed() => elapsedBefore + clock.Elapsed.TotalSeconds;
        var budgetSeconds = tc.MaxMinutes > 0 ? tc.MaxMinutes * 60 : double.PositiveInfinity;
        var interrupted = false;
        long samples = 0;
        double trainSeconds = 0;
        var stopReason = "epochs done";

        for (var epoch = state.Epoch + 1; epoch <= tc.Epochs; epoch++)
        {
            // Per-epoch seeds: resuming at epoch e replays exactly what an uninterrupted run does.
            manual_seed(config.Seed + epoch);
            var generator = new Generator((ulong)(config.Seed * 1009L + epoch));
            var order = Shuffle(trainable, new Random((config.Seed * 7919) + epoch));
            var clozeRng = new Random((config.Seed * 104729) + epoch);
            var steps = (order.Length + tc.BatchSize - 1) / tc.BatchSize;
            observer.EpochStarted(epoch, steps);
            model.train();
            double lossSum = 0;
            var epochClock = Stopwatch.StartNew();
            var stepsDone = 0;
            for (var s = 0; s < steps; s++)
            {
                if (cancel.IsCancellationRequested || Elapsed() > budgetSeconds)
                {
                    break;
                }

                var rows = order.Skip(s * tc.BatchSize).Take(tc.BatchSize).ToArray();
                var users = rows.Select(u => split.Train[u]).ToArray();
                using (var scope = NewDisposeScope())
                {
                    var batch = model.IsCausal
                        ? SequenceBatcher.Autoregressive(users, timestamps is null ? null : rows.Select(u => timestamps[u]).ToArray(), config.Model.MaxSequenceLength, ratings is null ? null : rows.Select(u => ratings[u]).ToArray())
                        : SequenceBatcher.Cloze(users, config.Model.MaxSequenceLength, tc.MaskProbability, model.MaskToken, clozeRng);
                    var states = model.forward(new SequenceInput(batch.Inputs, batch.Timestamps, batch.Ratings)); // [B, N, D]
                    var supervised = batch.Targets.view(-1).ne(0).nonzero().squeeze(1);  // [M]
                    var flatStates = states.view(-1, states.shape[2]).index_select(0, supervised); // [M, D]
                    var positives = batch.Targets.view(-1).index_select(0, supervised);  // [M]
                    var value = loss.Compute(model, flatStates, positives, generator);
                    optimizer.zero_grad();
                    value.backward();
                    optimizer.step();
                    var l = value.item<float>();
                    if (!float.IsFinite(l))
                    {
                        throw new InvalidOperationException($"training diverged: loss is {l} at epoch {epoch}, step {s + 1}");
                    }

                    lossSum += l;
                    observer.StepFinished(epoch, s + 1, l);
                }

                stepsDone++;
                samples += users.Length;
                state = state with { Step = state.Step + 1 };
            }

            trainSeconds += epochClock.Elapsed.TotalSeconds;
            if (stepsDone < steps)
            {
                // An unfinished epoch is not checkpointed as done: resuming replays it whole.
                interrupted = cancel.IsCancellationRequested;
                stopReason = interrupted ? "interrupted" : $"time budget of {tc.MaxMinutes} min reached";
                if (stepsDone == 0 || interrupted)
                {
                    break;
                }
            }

            SortedDictionary<string, double>? validationMetrics = null;
            if (validation.Length > 0 && (epoch % tc.EvalEvery == 0 || epoch == tc.Epochs || stepsDone < steps))
            {
                validationMetrics = Evaluator.Evaluate(new ModelScorer(model), validation, evalOptions).Metrics;
                var ndcg = validationMetrics["ndcg@10"];
                var improved = ndcg > state.BestValidationNdcg10;
                state = improved
                    ? state with { BestValidationNdcg10 = ndcg, BestEpoch = epoch, ValidationsWithoutImprovement = 0 }
                    : state with { ValidationsWithoutImprovement = state.ValidationsWithoutImprovement + 1 };
                if (improved)
                {
                    Checkpoint.Save(bestPath, config, model, null, state with { Epoch = epoch });
                }

                observer.Validated(epoch, validationMetrics, improved);
            }

            state = state with { Epoch = epoch, ElapsedSeconds = Elapsed() };
            var record = new EpochRecord(epoch, state.Step, lossSum / Math.Max(1, stepsDone), stepsDone == 0 ? 0 : samples / Math.Max(trainSeconds, 1e-9), Elapsed(), validationMetrics);
            records.Add(record);
            File.AppendAllText(logPath, JsonSerializer.Serialize(record, RunConfig.Json).ReplaceLineEndings(" ") + "\n");
            Checkpoint.Save(lastPath, config, model, optimizer, state);
            TrainingCurve.Save(records, Path.Combine(outDir, "curve.png"), $"{config.Name} on {data.Name}");

            if (stepsDone < steps)
            {
                break;
            }

            if (tc.Patience > 0 && state.ValidationsWithoutImprovement >= tc.Patience)
            {
                stopReason = $"early stop: no better validation NDCG@10 for {tc.Patience} validations";
                break;
            }
        }

        observer.Message($"training stopped: {stopReason}");
        if (interrupted)
        {
            observer.Message($"interrupted; resume with --resume (checkpoint {lastPath})");
            return new TrainingResult(new(), null, state.BestEpoch, state.Epoch, state.Step, trainSeconds, samples / Math.Max(trainSeconds, 1e-9), true, lastPath);
        }

        var finalPath = File.Exists(bestPath) && validation.Length > 0 ? bestPath : lastPath;
        var (best, _) = Checkpoint.LoadModel(finalPath);
        var test = Evaluator.Evaluate(new ModelScorer(best), split.Test, new EvalOptions { BatchSize = tc.EvalBatchSize }).Metrics;
        var bestValidation = records.FirstOrDefault(r => r.Epoch == state.BestEpoch)?.Validation;
        var result = new TrainingResult(test, bestValidation, state.BestEpoch, state.Epoch, state.Step, trainSeconds, samples / Math.Max(trainSeconds, 1e-9), false, finalPath);
        AtomicFile.WriteAllText(Path.Combine(outDir, "result.json"), JsonSerializer.Serialize(result, RunConfig.Json));
        return result;
    }

    private static EvalCase[] ValidationCases(SequenceSplit split, int maxUsers, int seed)
    {
        if (maxUsers <= 0 || split.Valid.Length <= maxUsers)
        {
            return split.Valid;
        }

        return Shuffle(Enumerable.Range(0, split.Valid.Length).ToArray(), new Random(seed)).Take(maxUsers).Order().Select(i => split.Valid[i]).ToArray();
    }

    private static int[] Shuffle(int[] values, Random rng)
    {
        var result = (int[])values.Clone();
        for (var i = result.Length - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (result[i], result[j]) = (result[j], result[i]);
        }

        return result;
    }

    private static IEnumerable<EpochRecord> ReadRecords(string path) =>
        File.Exists(path)
            ? File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<EpochRecord>(l, RunConfig.Json)!)
            : [];
}
