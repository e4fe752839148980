using GenRec.Scoring;
using GenRec.Checkpoints;
using GenRec.Configuration;
using System.Text.Json;
using GenRec.Compute;
using GenRec.Data;
using GenRec.Data.Splits;
using GenRec.Evaluation;
using GenRec.Models;
using GenRec.Models.Modules;
using GenRec.Training.LlmEsr;
using GenRec.Training.Losses;
using GenRec.Util;
using TorchSharp;
using static TorchSharp.torch;

namespace GenRec.Training;

/// <summary>
/// Trains a sequential retrieval model: AdamW, autoregressive next-item loss at every position (or the last, see
/// <see cref="TrainConfig.Supervise"/>),
/// per-epoch validation with early stopping on NDCG@10, atomic checkpoints (<c>last.ckpt</c> for
/// resuming, <c>best.ckpt</c> for the best validation), a JSONL metrics log and a PNG curve, then
/// a test evaluation of the best model. Same seed and config give the same metrics on CPU.
/// </summary>
public static class Trainer
{
    /// <summary>File name of the checkpoint written after every epoch (resume point).</summary>
    public const string LastCheckpoint = "last.ckpt";
    /// <summary>File name of the best-validation checkpoint.</summary>
    public const string BestCheckpoint = "best.ckpt";

    /// <summary>Trains <paramref name="config"/> on <paramref name="data"/> in <paramref name="outDir"/> (checkpoints, <c>metrics.jsonl</c>, <c>curve.png</c>, <c>result.json</c>) and tests the best model.</summary>
    /// <param name="config">The run configuration (see <c>configs/</c> for the published setups).</param>
    /// <param name="data">The prepared dataset.</param>
    /// <param name="outDir">The run folder.</param>
    /// <param name="resume">Continue from <c>last.ckpt</c> in the run folder when there is one.</param>
    /// <param name="observer">Hears progress (epochs, steps, validations).</param>
    /// <param name="cancel">Stops after the current step; the run can be resumed.</param>
    /// <returns>Test metrics of the selected epoch, best validation, epochs and steps run, throughput, checkpoint path.</returns>
    public static TrainingResult Run(RunConfig config, SequenceDataset data, string outDir, bool resume = false, ITrainingObserver? observer = null, CancellationToken cancel = default)
    {
        // Under mpirun, one rank of a data-parallel run: rank 0 writes the run folder and reports, the others are quiet.
        var group = Distributed.ProcessGroups.Current;
        var writes = group.Rank == 0;
        observer = writes ? observer ?? new SilentObserver() : new SilentObserver();
        using var folderLock = writes ? RunFolderLock.Acquire(outDir) : null;
        var semantics = ResolveSemantics(ref config, data, observer);
        (config, var userFeatures, var itemFeatures) = FeatureResolution.Resolve(config, data);
        if (writes)
        {
            AtomicFile.WriteAllText(Path.Combine(outDir, "config.json"), config.ToJson());
        }

        if (File.Exists(Catalog.ItemCatalog.PathOf(Path.Combine(outDir, BestCheckpoint))))
        {
            observer.Message($"warning: {Catalog.ItemCatalog.PathOf(Path.Combine(outDir, BestCheckpoint))} holds items added to an earlier {BestCheckpoint}; a new one will not take them (add them again)");
        }

        var (split, cold) = SplitOf(data, config, observer);
        using var vocabulary = TrainingVocabulary.Of(cold);
        var trainable = Enumerable.Range(0, split.Train.Length).Where(u => split.Train[u].Length >= 2).ToArray();
        if (trainable.Length == 0)
        {
            throw new InvalidOperationException("no user has two or more training items; nothing to train on");
        }

        var tc = config.Train;
        var device = ComputeDevice.Prepare(config.Compute);
        var parallel = new Distributed.DataParallel(group = Distributed.ProcessGroups.On(device)); // NCCL beside MPI on a GPU
        if (parallel.Enabled)
        {
            observer.Message($"data parallel: {group.Description}, {config.Train.BatchSize} rows per step over all ranks");
        }

        var bf16 = MixedPrecision.On(config.Compute.Precision);
        manual_seed(config.Seed);
        var model = new SequentialRecommender(config.Model, data.NumItems);
        if (itemFeatures is not null)
        {
            model.LoadItemFeatures(itemFeatures.Values);
            observer.Message($"item feature '{itemFeatures.Name}' ({ClosedChoice.Name(config.Model.Features!.ItemMode)}): {itemFeatures.Vocabulary.Length - 1} values, up to {itemFeatures.Width} per item, {itemFeatures.ItemsWithout} items without one");
        }

        if (userFeatures is not null)
        {
            observer.Message($"user feature tokens: {string.Join(", ", userFeatures.Names.Zip(userFeatures.Cardinalities, (n, c) => $"{n} ({c - 1})"))}; {userFeatures.UsersWithoutFeatures} users unknown");
        }

        SelfDistillation? distillation = null;
        if (semantics is { } table)
        {
            model.LoadSemantics(table, config.LlmEsr!.PcaInit, config.LlmEsr.PcaStd);
            // Without distillation (alpha 0 and no item regularisation; an ablation) no similar user or teacher is ever computed.
            if (config.LlmEsr.Alpha != 0 || config.LlmEsr.Beta != 0)
            {
                var similar = SimilarUsers.Find(SimilarUsers.Profiles(model.SemanticView!.Table, split.Train), config.LlmEsr.SimilarUsers);
                distillation = new SelfDistillation(config.LlmEsr, similar, split.Train, config.Model.MaxSequenceLength);
            }

            observer.Message($"LLM-ESR: {config.Model.SemanticView!.SemanticDim}-d item text embeddings, {ClosedChoice.Name(config.Model.SemanticView.Fusion)} fusion, "
                + (distillation is null ? "no self-distillation (alpha 0)" : $"{config.LlmEsr.SimilarUsers} similar users per user, alpha {config.LlmEsr.Alpha} ({ClosedChoice.Name(config.LlmEsr.Alignment)})"));
        }

        if (config.Train.InitFrom is { } initFrom && !(resume && File.Exists(Path.Combine(outDir, LastCheckpoint))))
        {
            var initText = config.Train.InitText is { } npy ? Text.ItemTextEmbeddings.Import(npy, data.NumItems) : ((float[] Values, int Dim)?)null;
            observer.Message(WarmStart.Apply(model, data, initFrom, text: initText));
        }

        // Initialised on the host (the same weights for a seed on any device), then moved: parameters, buffers, and so the optimiser state.
        model.to(device);
        observer.Message($"device {device}{(bf16 ? ", bf16 matmuls" : "")}");

        // The frozen semantic table has no gradient and stays out of the optimiser.
        var optimizer = optim.AdamW(model.parameters().Where(p => p.requires_grad), tc.LearningRate, tc.Beta1, tc.Beta2, 1e-8, tc.WeightDecay);
        var loss = LossFactory.Create(tc, vocabulary);
        var timestamps = model.UsesTimestamps ? split.TrainTimestamps : null;
        var ratings = model.UsesRatings
            ? split.TrainRatings ?? throw new InvalidOperationException($"preprocessor '{ClosedChoice.Name(config.Model.ResolvedPreprocessor)}' needs ratings; {data.Name} has none")
            : null;
        var validation = ValidationCases(SelectionCases(split, tc.SelectOn), tc.MaxValidationUsers, config.Seed);
        var testOptions = tc.EvalOptions(config.Model.MaxSequenceLength);
        var lastOnly = tc.SupervisesLastOnly(model.IsCausal, config.Model.Encoder);

        // A row is a user; with cloze_last_item, row u + users is user u's last-item-masked copy.
        var users = split.Train.Length;
        var rowsPerEpoch = tc.ClozeLastItem ? [.. trainable, .. trainable.Select(u => u + users)] : trainable;
        int UserOf(int row) => row % users;
        var evalOptions = testOptions with { Ks = [10], Unranked = vocabulary?.Excluded };           // validation ranks the trained catalogue

        var state = new TrainingState();
        var lastPath = Path.Combine(outDir, LastCheckpoint);
        if (resume && File.Exists(lastPath))
        {
            state = RetrievalCheckpoint.Restore(lastPath, model, optimizer).State;
            observer.Message($"resuming after epoch {state.Epoch} (step {state.Step}, best NDCG@10 {state.BestValidationMetric:F4} at epoch {state.BestEpoch})");
        }

        if (parallel.Enabled && (distillation is not null || model.ColdStart is not null))
        {
            throw new ArgumentException("data-parallel training covers the next-item loss alone for now; LLM-ESR's self-distillation and the features-only cold-start query train in one process");
        }

        // Every rank starts from rank 0's weights (a resume reads one checkpoint, so the optimisers agree too).
        TorchSharp.Modules.Parameter[] trained = [.. model.parameters().Where(p => p.requires_grad)];
        parallel.BroadcastParameters(trained);

        int[] order = [];
        Generator generator = null!;
        Random clozeRng = null!, teacherRng = null!;
        var loop = new EpochLoop
        {
            Group = group,
            Budget = tc,
            Seed = config.Seed,
            ValidateEvery = tc.EvalEvery,
            KeepBudgetCutEpoch = true,
            MetricLabel = "NDCG@10",
            MetricKey = "ndcg@10",
            OutDir = outDir,
            CurveTitle = $"{config.Name} on {data.Name}",
            Observer = observer,
            BeginEpoch = epoch =>
            {
                // Per-epoch seeds (libtorch's is set by the loop): resuming at epoch e replays exactly what an uninterrupted run does.
                generator = ComputeDevice.NewGenerator((ulong)(config.Seed * 1009L + epoch + (7_000_003L * group.Rank)), device); // each rank its own negatives
                order = Shuffle(rowsPerEpoch, new Random((config.Seed * 7919) + epoch));
                clozeRng = new Random((config.Seed * 104729) + epoch);
                teacherRng = new Random((config.Seed * 15485863) + epoch);
                model.train();
                distillation?.BeginEpoch(model, tc.EvalBatchSize);
                return (order.Length + tc.BatchSize - 1) / tc.BatchSize;
            },
            Step = (epoch, s) =>
            {
                var batchRows = order.Skip(s * tc.BatchSize).Take(tc.BatchSize).ToArray();
                var rows = parallel.ShardOf(batchRows);                                  // all of them in one process
                using var scope = NewDisposeScope();
                using var precision = MixedPrecision.Use(bf16);
                if (rows.Length == 0)
                {
                    return (parallel.Step(optimizer, null, 0, trained), batchRows.Length);      // a batch with fewer rows than ranks
                }

                // Supervised states and their next items, group by group; one loss over all of them.
                var groups = LengthGroups.Split(rows, row => split.Train[UserOf(row)].Length, tc.LengthGroups);
                var pieces = groups.Select(group => ForwardGroup(group)).ToArray();
                var flatStates = cat(pieces.Select(p => p.FlatStates).ToArray());        // [M, D']
                var positives = cat(pieces.Select(p => p.Positives).ToArray());          // [M]
                var value = loss.Compute(model, flatStates, positives, generator);
                if (model.ColdStart is { } coldStart)
                {
                    // The features-only query of users with no item, on the same targets (its own gradients only).
                    Tensor items;                                                                           // [I + 1, D']: a constant here
                    using (no_grad())
                    {
                        items = model.AllItemEmbeddings();
                    }

                    var summed = pieces.Select(p => coldStart.SummedLoss(p.Features!, p.Targets, items, model.SimilarityFunction)).Aggregate((a, b) => a + b);
                    value = value + (summed / positives.shape[0]);
                }

                if (distillation is not null)
                {
                    // Each group's students (the state after its last input item), in the groups' user order.
                    var students = cat(pieces.Select(p => SequentialRecommender.StatesAt(p.States, p.Inputs.ne(0).sum(1) - 1)).ToArray()); // [B, D']
                    var inputs = cat(pieces.Select(p => p.Inputs.flatten()).ToArray());                                                  // the batch's item ids
                    value = value + distillation.Loss(model, [.. groups.SelectMany(g => g).Select(UserOf)], students, inputs, teacherRng);
                }

                return (parallel.Step(optimizer, value, positives.shape[0], trained), batchRows.Length);
            },
            Validate = _ => validation.Length == 0 ? null : Evaluator.Evaluate(new ModelScorer(model, userFeatures), validation, evalOptions).Metrics,
            TestEach = tc.TestEveryEpoch ? _ => Evaluator.Evaluate(new ModelScorer(model, userFeatures), split.Test, testOptions).Metrics : null,
            Save = (path, saved, withOptimizer) => RetrievalCheckpoint.Save(path, config, model, withOptimizer ? optimizer : null, saved),
        };

        // One group of rows through the model: all states [B, N, D'], inputs [B, N], the supervised states and their
        // items, the user features [B, F] (null without them) and the targets [B, N] (0: none).
        (Tensor States, Tensor Inputs, Tensor FlatStates, Tensor Positives, Tensor? Features, Tensor Targets) ForwardGroup(int[] groupRows)
        {
            var rows = groupRows.Select(UserOf).ToArray();
            var sequences = rows.Select(u => split.Train[u]).ToArray();
            var batch = model.IsCausal
                ? SequenceBatcher.Autoregressive(sequences, timestamps is null ? null : rows.Select(u => timestamps[u]).ToArray(), config.Model.MaxSequenceLength, ratings is null ? null : rows.Select(u => ratings[u]).ToArray(), lastOnly)
                : SequenceBatcher.Cloze(sequences, config.Model.MaxSequenceLength, tc.MaskProbability, model.MaskToken, clozeRng,
                    tc.ClozeLastItem ? groupRows.Select(row => row >= users).ToArray() : null, tc.ClozeReplace ? model.NumItems : 0);
            var supervised = batch.Targets.view(-1).ne(0).nonzero().squeeze(1).ToDevice(device); // [M], found on the host: no wait for the device
            batch = batch.To(device);
            var features = userFeatures is null ? null : UserFeatureIds.Batch([.. rows.Select(u => userFeatures.Values[u])], userFeatures.Names.Length)!.ToDevice(device); // [B, F]
            var states = model.forward(new SequenceInput(batch.Inputs, batch.Timestamps, batch.Ratings, features)); // [B, N, D']
            var flatStates = states.view(-1, states.shape[2]).index_select(0, supervised);  // [M, D']
            return (states, batch.Inputs, flatStates, batch.Targets.view(-1).index_select(0, supervised), features, batch.Targets);
        }

        var run = loop.Run(state, cancel);
        state = run.State;
        var timing = parallel.Enabled ? new DataParallelTiming(group.Description, group.Size, parallel.CollectiveSeconds, parallel.Reductions) : null;
        if (timing is { Steps: > 0 })
        {
            observer.Message($"data parallel: {timing.AllReduceMsPerStep:F2} ms per step in allreduce on rank 0 ({timing.AllReduceSeconds:F1} s of {run.TrainSeconds:F1} s training), waiting for the other ranks included");
        }

        // Summed over every resume of the run (a resume that only tests trains for 0 s).
        var (trainSeconds, perSecond) = (state.TrainSeconds, state.TrainSeconds > 0 ? state.Samples / state.TrainSeconds : run.SamplesPerSecond);
        if (run.Interrupted)
        {
            return new TrainingResult(new(), null, state.BestEpoch, state.Epoch, state.Step, trainSeconds, perSecond, true, lastPath) { StopReason = run.StopReason, DataParallel = timing };
        }

        if (!writes)
        {
            return new TrainingResult(new(), run.BestValidation, state.BestEpoch, state.Epoch, state.Step, trainSeconds, perSecond, false, lastPath) { StopReason = run.StopReason, DataParallel = timing }; // rank 0 tests
        }

        var bestPath = loop.BestPath;
        var finalPath = File.Exists(bestPath) && validation.Length > 0 ? bestPath : lastPath;
        using var best = Checkpoint.Open(finalPath, new() { Device = device, Dataset = data, WithCatalog = false }).TakeRetrieval("testing");
        var test = Evaluator.Evaluate(new ModelScorer(best, userFeatures), split.Test, testOptions).Metrics;
        var result = new TrainingResult(test, run.BestValidation, state.BestEpoch, state.Epoch, state.Step, trainSeconds, perSecond, false, finalPath) { StopReason = run.StopReason, DataParallel = timing };
        AtomicFile.WriteAllText(Path.Combine(outDir, "result.json"), JsonSerializer.Serialize(result, RunConfig.Json));
        return result;
    }

    // LLM-ESR runs: the item text embeddings, with the config's semantic width set from them.
    private static float[]? ResolveSemantics(ref RunConfig config, SequenceDataset data, ITrainingObserver observer)
    {
        if (config.Model.SemanticView is null && config.LlmEsr is null)
        {
            return null;
        }

        if (config.Model.SemanticView is null || config.LlmEsr is null)
        {
            throw new ArgumentException("LLM-ESR needs both model.semantic_view (the dual-view model) and llm_esr (item text embeddings, self-distillation); give both or neither");
        }

        var (values, dim) = SemanticTableSource.Load(config.LlmEsr, data, observer.Message);
        config = config with { Model = config.Model with { SemanticView = config.Model.SemanticView with { SemanticDim = dim } } };
        return values;
    }

    private static EvalCase[] ValidationCases(EvalCase[] valid, int maxUsers, int seed)
    {
        if (maxUsers <= 0 || valid.Length <= maxUsers)
        {
            return valid;
        }

        return Shuffle(Enumerable.Range(0, valid.Length).ToArray(), new Random(seed)).Take(maxUsers).Order().Select(i => valid[i]).ToArray();
    }

    /// <summary>The cases that select the tested epoch (see <see cref="TrainConfig.SelectOn"/>).</summary>
    /// <summary>
    /// The run's split: the config's kind, without the cold items where the config names a share of them; and the cold
    /// items ([numItems + 1], true for cold), which the run leaves out of its catalogue (see <see cref="TrainingVocabulary"/>).
    /// </summary>
    internal static (SequenceSplit Split, bool[] Cold) SplitOf(SequenceDataset data, RunConfig config, ITrainingObserver? observer = null)
    {
        var (split, cold) = ColdItems.Split(data, config.Data.Split, config.Data.ColdItemShare, config.Seed);
        if (config.Data.ColdItemShare > 0)
        {
            observer?.Message($"cold items: {cold.Count(c => c)} of {data.NumItems} removed from training and from its catalogue (seed {config.Seed}); {split.Test.Count(c => cold[c.Target])} of {split.Test.Length} test users have a cold target");
        }

        return (split, cold);
    }

    internal static EvalCase[] SelectionCases(SequenceSplit split, SelectOn selectOn) => selectOn switch
    {
        SelectOn.Validation => split.Valid,
        SelectOn.SecondToLast when split.Valid.Length > 0 => throw new ArgumentException("train.select_on: second_to_last is for last_item splits; this split has validation cases of its own"),
        SelectOn.SecondToLast => [.. split.Train.Select((items, user) => (items, user)).Where(u => u.items.Length >= 2)
            .Select(u => new EvalCase(u.user, u.items[..^1], u.items[^1], split.TrainTimestamps?[u.user][..^1], split.TrainTimestamps?[u.user][^1] ?? 0, split.TrainRatings?[u.user][..^1]))],
        _ => throw new ArgumentOutOfRangeException(nameof(selectOn), selectOn, "train.select_on"),
    };

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
}
