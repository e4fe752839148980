using GenRec.Configuration;
using GenRec.Distributed;
using System.Diagnostics;
using System.Text.Json;
using GenRec.Util;
using static TorchSharp.torch;

namespace GenRec.Training;

/// <summary>How an <see cref="EpochLoop"/> run ended: the state after the last finished epoch, training time and samples, why it stopped.</summary>
internal sealed record EpochLoopResult(TrainingState State, IReadOnlyList<EpochRecord> Records, double TrainSeconds, long Samples, string StopReason, bool Interrupted)
{
    public double SamplesPerSecond => Samples / Math.Max(TrainSeconds, 1e-9);

    /// <summary>Validation metrics of the best epoch, when it was validated.</summary>
    public SortedDictionary<string, double>? BestValidation => Records.FirstOrDefault(r => r.Epoch == State.BestEpoch)?.Validation;
}

/// <summary>
/// The epoch driver every trainer shares: epochs from the resumed state on, a time budget and
/// cancellation checked before each step, validation (higher metric is better) with best and last
/// checkpoints, one <c>metrics.jsonl</c> line and a PNG curve per epoch, and early stopping after
/// the budget's patience in validations without improvement. Before each epoch libtorch is seeded with
/// <see cref="Seed"/> + epoch, so that resuming at epoch e replays exactly what an uninterrupted run does. An epoch
/// cut short by cancellation is not checkpointed (resuming replays it whole); one cut short by the time budget is
/// validated and kept only with <see cref="KeepBudgetCutEpoch"/>. The trainer supplies the epoch's steps and validation.
/// </summary>
internal sealed class EpochLoop
{
    /// <summary>Epochs, time budget and patience (the run's training record).</summary>
    public required ITrainingBudget Budget { get; init; }

    /// <summary>The run's seed; epoch e starts with <c>manual_seed(Seed + e)</c>.</summary>
    public required int Seed { get; init; }

    private int Epochs => Budget.Epochs;

    private double MaxMinutes => Budget.MaxMinutes;

    private int Patience => Budget.Patience;

    /// <summary>Validate every this many epochs (and after the last and a budget-cut one).</summary>
    public int ValidateEvery { get; init; } = 1;

    /// <summary>Name of the validation metric, for messages (e.g. NDCG@10, engage AUC).</summary>
    public required string MetricLabel { get; init; }

    /// <summary>The retrieval trainer's behaviour: an epoch cut by the time budget is validated and checkpointed as done.</summary>
    public bool KeepBudgetCutEpoch { get; init; }

    public required string OutDir { get; init; }

    /// <summary>Title of the training curve.</summary>
    public required string CurveTitle { get; init; }

    /// <summary>Validation key drawn on the curve.</summary>
    public string CurveMetric { get; init; } = "ndcg@10";

    public required ITrainingObserver Observer { get; init; }

    /// <summary>Prepares an epoch (seeds, order, training mode) and returns its number of steps.</summary>
    public required Func<int, int> BeginEpoch { get; init; }

    /// <summary>Runs step <c>s</c> (0-based) of an epoch and returns its loss (a scalar tensor, still on the device) and number of samples.</summary>
    public required Func<int, int, (Tensor Loss, int Samples)> Step { get; init; }

    /// <summary>
    /// Most steps between reads of the loss from the device (and the divergence check); an epoch reads it at
    /// least ten times. Between reads nothing waits for the device; the observer hears each step with the
    /// mean loss of the last interval read (NaN before the first).
    /// </summary>
    public int LogEvery { get; init; } = 25;

    /// <summary>Validation metrics after an epoch, or null when there is nothing to validate on.</summary>
    public required Func<int, SortedDictionary<string, double>?> Validate { get; init; }

    /// <summary>Test metrics, taken whenever validation is due and recorded in <c>metrics.jsonl</c>; never used to select (null: not measured).</summary>
    public Func<int, SortedDictionary<string, double>?>? TestEach { get; init; }

    /// <summary>The key of the validation metric that selects the best epoch.</summary>
    public required string MetricKey { get; init; }

    /// <summary>Saves a checkpoint of the current model: (path, state, with optimiser).</summary>
    public required Action<string, TrainingState, bool> Save { get; init; }

    /// <summary>
    /// The processes training this model together: rank 0 alone validates and writes the run folder, every rank hears
    /// its validation metric (so all stop at the same epoch), and all agree before each step whether to take it (so a
    /// budget or a Ctrl+C seen by one stops all at the same step). One process by default.
    /// </summary>
    public Distributed.IProcessGroup Group { get; init; } = Distributed.SingleProcessGroup.Instance;

    private bool Writes => Group.Rank == 0;

    public string LastPath => Path.Combine(OutDir, "last.ckpt");

    public string BestPath => Path.Combine(OutDir, "best.ckpt");

    public string LogPath => Path.Combine(OutDir, "metrics.jsonl");

    public EpochLoopResult Run(TrainingState state, CancellationToken cancel)
    {
        // The log as of the checkpoint resumed from: lines of epochs after it (written before a crash took the process, its
        // checkpoint not yet saved) are dropped, since those epochs run again; rewritten atomically.
        var records = ReadLog(LogPath).Where(r => r.Epoch <= state.Epoch).ToList();
        if (Writes)
        {
            AtomicFile.WriteAllText(LogPath, string.Concat(records.Select(r => Line(r) + "\n")));
        }

        var clock = Stopwatch.StartNew();
        var elapsedBefore = state.ElapsedSeconds;
        double Elapsed() => elapsedBefore + clock.Elapsed.TotalSeconds;
        var budgetSeconds = MaxMinutes > 0 ? MaxMinutes * 60 : double.PositiveInfinity;
        double trainSeconds = 0;
        long samples = 0;
        var stopReason = "epochs done";
        var interrupted = false;
        if (OutOfPatience(state))
        {
            stopReason = EarlyStopReason; // a resumed run that had already stopped early trains no further epoch
        }

        for (var epoch = state.Epoch + 1; epoch <= Epochs && !OutOfPatience(state); epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            manual_seed(Seed + epoch + (1_000_003L * Group.Rank));                    // rank 0 as one process; the others' dropout their own
            var steps = BeginEpoch(epoch);
            Observer.EpochStarted(epoch, steps);
            double lossSum = 0, shownLoss = double.NaN;
            long epochSamples = 0;
            var done = 0;
            Tensor? pending = null;                                        // losses since the last read, summed on the device
            var pendingSteps = 0;
            var readEvery = Math.Clamp(steps / 10, 1, Math.Max(1, LogEvery)); // short epochs still show a loss as they go
            void ReadLoss(int step)
            {
                var interval = pending!.item<double>();                       // the one wait for the device
                pending.Dispose();
                pending = null;
                if (!double.IsFinite(interval))
                {
                    throw new InvalidOperationException($"training diverged: loss is {interval} in epoch {epoch} between steps {step - pendingSteps + 1} and {step}");
                }

                lossSum += interval;
                shownLoss = interval / pendingSteps;
                pendingSteps = 0;
            }

            for (var s = 0; s < steps && Group.AllAgree(!cancel.IsCancellationRequested && Elapsed() <= budgetSeconds); s++)
            {
                var (loss, count) = Step(epoch, s);
                using (loss)
                {
                    pending = pending is null ? loss.to(ScalarType.Float64) : pending.add_(loss);
                }

                pendingSteps++;
                epochSamples += count;
                done++;
                state = state with { Step = state.Step + 1 };
                if (pendingSteps >= readEvery)
                {
                    ReadLoss(s + 1);
                }

                Observer.StepFinished(epoch, s + 1, shownLoss);
                NativeHeap.ReleasePeriodically();
            }

            if (pending is not null)
            {
                ReadLoss(done);
            }

            var epochSeconds = epochClock.Elapsed.TotalSeconds;
            trainSeconds += epochSeconds;
            samples += epochSamples;
            var seen = state with { Samples = state.Samples + epochSamples, TrainSeconds = state.TrainSeconds + epochSeconds };
            var cut = done < steps;
            if (cut)
            {
                interrupted = cancel.IsCancellationRequested;
                stopReason = interrupted ? "interrupted" : $"time budget of {MaxMinutes} min reached";
                if (interrupted || done == 0 || !KeepBudgetCutEpoch)
                {
                    break; // not checkpointed: resuming replays the epoch whole
                }
            }

            SortedDictionary<string, double>? validation = null, test = null;
            var improved = false;
            if (epoch % ValidateEvery == 0 || epoch == Epochs || cut)
            {
                validation = Distributed.ProcessGroupExtensions.ShareFromRoot(Group, Writes ? Validate(epoch) : null, [MetricKey]);
                test = Writes ? TestEach?.Invoke(epoch) : null;
            }

            if (validation is not null)
            {
                (state, improved) = seen.AfterValidation(epoch, validation[MetricKey], Elapsed());
                if (improved && Writes)
                {
                    Save(BestPath, state, false);
                }

                Observer.Validated(epoch, validation, improved);
            }
            else
            {
                state = seen with { Epoch = epoch, ElapsedSeconds = Elapsed() };
            }

            var record = new EpochRecord(epoch, state.Step, lossSum / Math.Max(1, done), epochSamples / Math.Max(epochSeconds, 1e-9), state.ElapsedSeconds, validation, state.Samples, test);
            records.Add(record);
            if (Writes)
            {
                File.AppendAllLines(LogPath, [Line(record)]);
                Save(LastPath, state, true);
                TrainingCurve.Save(records, Path.Combine(OutDir, "curve.png"), CurveTitle, CurveMetric);
            }

            if (cut)
            {
                break;
            }

            if (OutOfPatience(state))
            {
                stopReason = EarlyStopReason;
                break;
            }
        }

        Observer.Message($"training stopped: {stopReason}");
        if (interrupted)
        {
            Observer.Message($"interrupted; resume with --resume (checkpoint {LastPath})");
        }

        return new EpochLoopResult(state, records, trainSeconds, samples, stopReason, interrupted);
    }

    private bool OutOfPatience(TrainingState state) => Patience > 0 && state.ValidationsWithoutImprovement >= Patience;

    private string EarlyStopReason => $"early stop: no better validation {MetricLabel} for {Patience} validations";

    /// <summary>
    /// The records of a run's <c>metrics.jsonl</c> (none when it does not exist). A last line cut short (the process was
    /// killed while appending it) is left out: its epoch had not been checkpointed yet and runs again; a damaged line
    /// before the last is an error naming the file and line.
    /// </summary>
    public static IReadOnlyList<EpochRecord> ReadLog(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        var lines = File.ReadAllLines(path);
        var records = new List<EpochRecord>(lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }

            try
            {
                records.Add(JsonSerializer.Deserialize<EpochRecord>(lines[i], RunConfig.Json) ?? throw new JsonException("null record"));
            }
            catch (JsonException) when (i == lines.Length - 1)
            {
                // A torn last line: dropped (its epoch runs again).
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}:{i + 1}: damaged epoch record: {e.Message}", e);
            }
        }

        return records;
    }

    private static string Line(EpochRecord record) => JsonSerializer.Serialize(record, RunConfig.Json).ReplaceLineEndings(" ");
}
