using System.CommandLine;
using GenRec.Cli.Terminal;
using GenRec.Configuration;
using GenRec.Data;
using GenRec.Training;
using GenRec.Training.Ranking;
using GenRec.Training.Tiger;

namespace GenRec.Cli.Commands;

/// <summary>
/// <c>genrec train --config &lt;any kind&gt;</c>: trains the run a config describes, with checkpoints and resume, in the
/// run folder <c>--out</c>. The config's <c>kind</c> picks the trainer: <c>retrieval</c> (the default: SASRec, HSTU,
/// GRU4Rec, BERT4Rec, LLM-ESR), <c>ranking</c> (HSTU ranking) or <c>tiger</c>.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var options = new RunOptions();
        var command = new Command("train", "Train the run a config describes (retrieval, ranking or TIGER, by the config's kind)");
        options.AddTo(command);
        command.SetAction((r, cancel) =>
        {
            var resume = r.GetValue(options.Resume);
            string OutDir(IRunConfig run) => r.GetValue(options.Out) ?? Path.Combine("runs", run.Name);
            var kind = options.Kind(r, required: false);
            DataParallelLaunch.RequireKind(kind);
            var interrupted = kind switch
            {
                RunKind.Ranking => options.Load<RankingRunConfig>(r, required: false) is var ranking && Ranking(ranking, OutDir(ranking), resume, cancel) is null,
                RunKind.Tiger => options.Load<TigerRunConfig>(r, required: false) is var tiger && Tiger(tiger, OutDir(tiger), resume, cancel).Interrupted,
                _ => options.Load<RunConfig>(r, required: false) is var retrieval && Retrieval(retrieval, OutDir(retrieval), resume, cancel).Interrupted,
            };
            return Task.FromResult(interrupted ? 130 : 0);
        });
        return command;
    }

    /// <summary>Trains a retrieval run on its data (loaded here unless the caller already has it) and tests the selected model.</summary>
    public static TrainingResult Retrieval(RunConfig run, string outDir, bool resume, CancellationToken cancel, SequenceDataset? dataset = null)
    {
        dataset ??= DatasetLoader.Load(run.Data.ToRequest(DatasetRequest.DefaultCacheDir), Output.Info);
        Output.Info($"training {run.Model.Encoder} on {dataset.Name}: {dataset.NumUsers:N0} users, {dataset.NumItems:N0} items; seed {run.Seed}; run folder {outDir}");
        var result = ProgressObserver.Run(observer => Trainer.Run(run, dataset, outDir, resume, observer, cancel));
        if (!result.Interrupted && GenRec.Distributed.ProcessGroups.Current.Rank == 0)                // rank 0 tests and reports
        {
            Output.Info($"{result.EpochsRun} epochs, {result.Steps} steps, {result.TrainSeconds:F0} s training, {result.SamplesPerSecond:F1} sequences/s; best epoch {result.BestEpoch}; checkpoint {result.Checkpoint}");
            Output.Metrics($"test ({run.Data.Split}, full ranking, {run.Train.EvalOptions(run.Model.MaxSequenceLength).FilterDescription})", result.Test, Output.HeadlineKeys);
        }

        return result;
    }

    /// <summary>Trains a ranking run and tests the selected model (AUC and log loss per task); null when interrupted.</summary>
    public static TrainingResult? Ranking(RankingRunConfig run, string outDir, bool resume, CancellationToken cancel, SequenceDataset? dataset = null)
    {
        dataset ??= DatasetLoader.Load(run.Data.ToRequest(DatasetRequest.DefaultCacheDir), Output.Info);
        Output.Info($"training {run.Name} (HSTU ranking, history {(run.Model.HistoryAware ? "read" : "ignored")}) on {dataset.Name}: {dataset.NumUsers:N0} users, {dataset.NumItems:N0} items; tasks {string.Join(", ", Models.Ranking.RankingTasks.Names(dataset.Ratings is not null))}; seed {run.Seed}; run folder {outDir}");
        var result = ProgressObserver.Run(observer => RankingTrainer.Run(run, dataset, outDir, resume, observer, cancel));
        if (cancel.IsCancellationRequested)
        {
            return null;
        }

        Output.Metrics($"{run.Name} test ({result.EpochsRun} epochs, best {result.BestEpoch})", result.Test, [.. result.Test.Keys]);
        return result;
    }

    /// <summary>Trains a TIGER run on its semantic ID table (or random IDs: <c>semantic_ids: "random"</c>) and tests it with constrained beams.</summary>
    /// <param name="coldItemText">Item text vectors (.npy) for the cold-item test of a run with <c>data.cold_item_share</c>.</param>
    public static TigerResult Tiger(TigerRunConfig run, string outDir, bool resume, CancellationToken cancel, bool test = true, SequenceDataset? dataset = null, string? coldItemText = null)
    {
        dataset ??= DatasetLoader.Load(run.Data.ToRequest(DatasetRequest.DefaultCacheDir), Output.Info);
        var random = run.SemanticIds == "random";
        var table = random ? SemanticIdFile.Random(dataset.NumItems, levels: 3, codebookSize: 256, run.Seed) : SemanticIdFile.Read(run.SemanticIds, dataset);
        Output.Info($"training {run.Name} on {dataset.Name} ({dataset.NumUsers:N0} users, {dataset.NumItems:N0} items, IDs of {table[1].Length} codes from {(random ? "random codes" : run.SemanticIds)}); seed {run.Seed}; run folder {outDir}");
        var text = coldItemText is null ? ((float[], int)?)null : Text.ItemTextEmbeddings.Import(coldItemText, dataset.NumItems);
        var result = ProgressObserver.Run(observer => TigerTrainer.Run(run, dataset, table, outDir, resume, observer, cancel, test, text));
        if (!result.Interrupted && result.Test.Count > 0)                                         // rank 0 of a data-parallel run tests
        {
            Output.Metrics($"{run.Name} test (epoch {result.BestEpoch} of {result.EpochsRun})", result.Test, [.. result.Test.Keys]);
        }

        return result;
    }
}
