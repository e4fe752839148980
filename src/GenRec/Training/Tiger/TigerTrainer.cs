using GenRec.Checkpoints;
using GenRec.Configuration;
using System.Text.Json;
using GenRec.Compute;
using GenRec.Data;
using GenRec.Data.Splits;
using GenRec.Evaluation;
using GenRec.Models.Tiger;
using GenRec.Util;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Training.Tiger;

/// <summary>
/// Trains a semantic-ID generator (TIGER's encoder-decoder, the decoder-only model or RPG's parallel codes, <see cref="SemanticIdGenerator"/>) on
/// leave-one-out training sequences: every item of a training sequence (after the first) is a target, its input the user
/// token and the preceding <c>MaxHistory</c> items' codes (<see cref="Examples"/>).
/// AdamW with warm-up; per-epoch validation by the model's constrained generation (Recall/NDCG@5/10), early
/// stopping on NDCG@10; atomic <c>last.ckpt</c> (resumable) and <c>best.ckpt</c>; metrics.jsonl; then
/// test metrics of the best epoch, plus the share of invalid IDs among unconstrained beams.
/// </summary>
internal static class TigerTrainer
{
    /// <param name="test">False skips the test pass (speed measurements, smoke runs): the result's test metrics are empty.</param>
    /// <param name="coldItemText">With <c>data.cold_item_share</c>: item text vectors for the cold-item test's text-kNN floor (null: no cold-item test).</param>
    public static TigerResult Run(TigerRunConfig config, SequenceDataset data, int[][] ids, string outDir, bool resume, ITrainingObserver observer, CancellationToken cancel = default, bool test = true, (float[] Values, int Dim)? coldItemText = null)
    {
        // Under mpirun, one rank of a data-parallel run: rank 0 writes the run folder, validates and tests; the others are quiet.
        var group = Distributed.ProcessGroups.Current;
        var writes = group.Rank == 0;
        observer = writes ? observer : new SilentObserver();
        using var folderLock = writes ? RunFolderLock.Acquire(outDir) : null;
        if (writes)
        {
            AtomicFile.WriteAllText(Path.Combine(outDir, "config.json"), config.ToJson());
            SemanticIdFile.Write(Path.Combine(outDir, SemanticIdFile.RunFolderName), ids, data);  // the run folder serves on its own (genrec serve)
        }

        // TIGER's cold-start setting (data.cold_item_share): the cold items leave training and validation; beams can name them only at the test.
        var (split, cold) = ColdItems.Split(data, SplitKind.LeaveOneOut, config.Data.ColdItemShare, config.Seed);
        var vocabulary = SemanticIdVocabulary.Of(ids, config.Model.UserBuckets);
        var trie = new SemanticIdTrie(ids, item => !cold[item]);                        // the training catalogue
        var catalogue = config.Data.ColdItemShare > 0 ? new SemanticIdTrie(ids) : trie;   // every item, the cold ones with IDs from the frozen RQ-VAE
        var device = ComputeDevice.Prepare(config.Compute);
        var parallel = new Distributed.DataParallel(group = Distributed.ProcessGroups.On(device)); // NCCL beside MPI on a GPU
        if (parallel.Enabled)
        {
            observer.Message($"data parallel: {group.Description}, {config.Train.BatchSize} examples per step over all ranks");
        }

        var bf16 = MixedPrecision.On(config.Compute.Precision);
        manual_seed(config.Seed);
        var model = SemanticIdGenerator.Create(config.Model, vocabulary);
        model.to(device);                                                                // initialised on the host, then moved
        observer.Message($"device {device}{(bf16 ? ", bf16 matmuls" : "")}");
        var tc = config.Train;
        var optimizer = optim.AdamW(model.parameters(), tc.LearningRate, 0.9, 0.98, 1e-8, tc.WeightDecay);
        var examples = Examples(split, config.Model);
        var validation = split.Valid.OrderBy(c => Mix(config.Seed, c.User)).Take(tc.MaxValidationUsers > 0 ? tc.MaxValidationUsers : int.MaxValue).OrderBy(c => c.User).ToArray();
        var state = new TrainingState();
        var lastPath = Path.Combine(outDir, "last.ckpt");
        if (resume && File.Exists(lastPath))
        {
            state = TigerCheckpoint.Restore(lastPath, model, optimizer);
            observer.Message($"resuming after epoch {state.Epoch} (best NDCG@10 {state.BestValidationMetric:F4} at epoch {state.BestEpoch})");
        }

        TorchSharp.Modules.Parameter[] trained = [.. model.parameters()];
        parallel.BroadcastParameters(trained);                                           // every rank starts from rank 0's weights

        // Training is counted in target items (examples seen): one per encoder-decoder example, every item after a window's first for the decoder-only model.
        int TargetItems(int[] batch) => batch.Sum(i => model.Targets(examples[i]));
        var flopsPerTarget = 3 * examples.Sum(model.ForwardFlops) / examples.Sum(e => (double)model.Targets(e));
        observer.Message($"{examples.Count:N0} training examples, {examples.Sum(model.Targets):N0} target items; about {flopsPerTarget / 1e6:N0} MFLOP per target (forward and backward, analytic)");
        var stream = new TigerBatchStream(examples, tc.BatchSize, config.Model.MaxHistory, config.Seed);
        var loopStep = state.Step; // the schedule counts optimiser steps across epochs and resumes
        var schedule = tc.Schedule();
        _ = schedule.At(tc.WarmupSteps); // an unknown schedule fails here, before any training
        var loop = new EpochLoop
        {
            Group = group,
            Budget = tc,
            Seed = config.Seed,
            MetricLabel = "NDCG@10",
            MetricKey = "ndcg@10",
            OutDir = outDir,
            CurveTitle = $"{config.Name}: TIGER on {data.Name}",
            Observer = observer,
            BeginEpoch = epoch =>
            {
                model.train();
                return tc.StepsPerEpoch > 0 ? tc.StepsPerEpoch : stream.PassLength;
            },
            Step = (epoch, s) =>
            {
                using var scope = NewDisposeScope();
                using var precision = MixedPrecision.Use(bf16);
                var global = tc.StepsPerEpoch > 0 ? stream.Batch(((long)(epoch - 1) * tc.StepsPerEpoch) + s) : stream.Pass(epoch)[s];
                var batch = parallel.ShardOf(global).Select(i => examples[i]).ToArray(); // this rank's part; all of it in one process
                var rate = schedule.At(loopStep);
                foreach (var group in optimizer.ParamGroups)
                {
                    group.LearningRate = rate;
                }

                loopStep++;
                if (batch.Length == 0)
                {
                    return (parallel.Step(optimizer, null, 0, trained, model, maxGradNorm: 1.0), TargetItems(global)); // fewer examples than ranks
                }

                var (loss, targets) = model.Loss(ids, batch, device);                    // mean over this rank's target codes
                return (parallel.Step(optimizer, loss, targets, trained, model, maxGradNorm: 1.0), TargetItems(global));
            },
            Validate = _ => Evaluate(model, ids, trie, validation, tc.Beams, constrained: true),
            Save = (path, saved, withOptimizer) => TigerCheckpoint.Save(path, model, withOptimizer ? optimizer : null, saved),
        };
        var run = loop.Run(state, cancel);
        state = run.State;
        var stopReason = run.StopReason;
        var timing = parallel.Enabled ? new DataParallelTiming(group.Description, group.Size, parallel.CollectiveSeconds, parallel.Reductions) : null;
        if (run.Interrupted || !writes)
        {
            // Stopped by the user: no test pass (it takes minutes); `--resume` continues, `--resume --epochs N` only tests.
            // A data-parallel rank other than 0 stops here too: rank 0 tests.
            return new TigerResult([], run.BestValidation, state.Epoch, state.BestEpoch, state.Step, state.Samples, state.TrainSeconds, stopReason) { Interrupted = run.Interrupted, Reports = writes, DataParallel = timing };
        }

        if (!test)
        {
            return new TigerResult([], run.BestValidation, state.Epoch, state.BestEpoch, state.Step, state.Samples, state.TrainSeconds, stopReason) { DataParallel = timing, FlopsPerTarget = flopsPerTarget };
        }

        var bestPath = loop.BestPath;
        if (!File.Exists(bestPath))
        {
            throw new InvalidOperationException($"no epoch finished, so there is no model to test ({stopReason})");
        }

        TigerCheckpoint.Restore(bestPath, model, null);
        var generated = Generate(model, ids, catalogue, split.Test, tc.Beams, constrained: true);
        var metrics = Score(generated, split.Test);
        var free = Evaluate(model, ids, catalogue, split.Test, tc.Beams, constrained: false);
        metrics["invalid_id_share_unconstrained"] = free["invalid_id_share"];
        metrics["recall@10_unconstrained"] = free["recall@10"];
        TigerColdItemTest.Report? coldItems = null;
        if (config.Data.ColdItemShare > 0 && coldItemText is { } text)
        {
            var closed = Generate(model, ids, trie, split.Test, tc.Beams, constrained: true);
            coldItems = TigerColdItemTest.Run(split, cold, ids, generated, closed, text, config.Seed, observer.Message);
        }

        AtomicFile.WriteAllText(Path.Combine(outDir, "result.json"), JsonSerializer.Serialize(new { test = metrics, best_epoch = state.BestEpoch, stop_reason = stopReason, cold_items = coldItems }, RunConfig.Json));
        return new TigerResult(metrics, run.BestValidation, state.Epoch, state.BestEpoch, state.Step, state.Samples, state.TrainSeconds, stopReason) { ColdItems = coldItems, DataParallel = timing, FlopsPerTarget = flopsPerTarget };
    }

    /// <summary>Recall and NDCG at 5 and 10 of the generated ranking (no history filtering, as TIGER), and the share of generated IDs that name no item.</summary>
    public static SortedDictionary<string, double> Evaluate(SemanticIdGenerator model, int[][] ids, SemanticIdTrie trie, IReadOnlyList<EvalCase> cases, int beams, bool constrained, int batchSize = 128) =>
        Score(Generate(model, ids, trie, cases, beams, constrained, batchSize), cases);

    /// <summary>The beams of each case (in the order of <paramref name="cases"/>), best first.</summary>
    public static List<GeneratedId>[] Generate(SemanticIdGenerator model, int[][] ids, SemanticIdTrie trie, IReadOnlyList<EvalCase> cases, int beams, bool constrained, int batchSize = 128)
    {
        var maxHistory = model.Config.MaxHistory;
        var generated = new List<GeneratedId>[cases.Count];
        var byLength = Enumerable.Range(0, cases.Count).OrderBy(c => Math.Min(cases[c].History.Length, maxHistory)).ToArray(); // batches of similar length pad little
        for (var start = 0; start < byLength.Length; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var batch = byLength.AsSpan(start, Math.Min(batchSize, byLength.Length - start)).ToArray();
            var input = model.Inputs(ids, [.. batch.Select(c => (cases[c].User, cases[c].History))]).ToDevice(ComputeDevice.DeviceOf(model));
            var results = model.Generate(input, trie, beams, constrained);
            NativeHeap.ReleasePeriodically();
            for (var i = 0; i < batch.Length; i++)
            {
                generated[batch[i]] = results[i];
            }
        }

        return generated;
    }

    /// <summary>Recall@1/5/10 and NDCG@5/10 of the generated rankings, and the share of generated IDs that name no item.</summary>
    public static SortedDictionary<string, double> Score(IReadOnlyList<List<GeneratedId>> generated, IReadOnlyList<EvalCase> cases)
    {
        var metrics = Score(generated.Select(g => g.Select(x => x.Item).ToArray()).ToArray(), cases, "recall@1", "recall@5", "recall@10", "ndcg@5", "ndcg@10");
        var all = generated.Sum(g => (long)g.Count);
        metrics["invalid_id_share"] = all == 0 ? 0 : generated.Sum(g => (long)g.Count(x => x.Item < 0)) / (double)all;
        return metrics;
    }

    /// <summary>
    /// The <paramref name="keys"/> of <see cref="MetricAccumulator"/>'s metrics (cut-offs 1, 5 and 10) of rankings of items
    /// (best first; -1 names no item) against each case's target; a target the ranking lacks counts as a miss.
    /// </summary>
    public static SortedDictionary<string, double> Score(IReadOnlyList<int[]> ranked, IReadOnlyList<EvalCase> cases, params string[] keys)
    {
        var accumulator = new MetricAccumulator([1, 5, 10]);
        for (var i = 0; i < cases.Count; i++)
        {
            var rank = Array.IndexOf(ranked[i], cases[i].Target);
            accumulator.Add(rank < 0 ? int.MaxValue - 1 : rank);                          // past every cut-off
        }

        var all = accumulator.Result();
        return new SortedDictionary<string, double>(keys.ToDictionary(k => k, k => all[k]));
    }

    /// <summary>
    /// The training examples of the split's training sequences. Encoder-decoder: each item after a sequence's first, with the
    /// items before it (the last <c>max_history</c> are read). Decoder-only and parallel codes: windows of up to <c>max_history + 1</c> items from
    /// each sequence's end back, consecutive windows sharing one item, so each item after the first is a target exactly once.
    /// </summary>
    internal static List<GenerativeExample> Examples(SequenceSplit split, TigerConfig model)
    {
        var examples = new List<GenerativeExample>();
        for (var user = 0; user < split.Train.Length; user++)
        {
            var sequence = split.Train[user];
            if (model.Architecture != GenerativeArchitecture.EncoderDecoder)
            {
                for (var end = sequence.Length; end > 1; end -= model.MaxHistory)
                {
                    examples.Add(new GenerativeExample(user, sequence[Math.Max(0, end - model.MaxHistory - 1)..end]));
                }

                continue;
            }

            for (var t = 1; t < sequence.Length; t++)
            {
                examples.Add(new GenerativeExample(user, sequence[..(t + 1)]));
            }
        }

        return examples;
    }

    private static int Mix(int seed, int user) => unchecked((seed * 1_000_003) ^ (user * 7_919)) & int.MaxValue;
}
