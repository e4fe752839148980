// GenRec as a library: prepare a dataset, train SASRec from a config with progress and Ctrl+C, evaluate,
// and recommend from the checkpoint in the dataset's own ids.
//   dotnet run --project samples/ConsoleSample -- <ratings.csv or dataset folder> [epochs]
using GenRec.Configuration;
using GenRec;
using GenRec.Data.Preparation;
using GenRec.Evaluation;
using GenRec.Models;
using GenRec.Training;

// First line of Main: restart once under jemalloc where it is installed (the one CPU fast path that cannot be set up in
// process; GenRec sets up the others itself). Returns at once where it does not apply.
JemallocRelaunch.IfAvailable();

var path = args.Length > 0 ? args[0] : Path.Combine("data", "ml-latest-small");
var epochs = args.Length > 1 ? int.Parse(args[1]) : 3;

var dataset = Datasets.Load(path, new PrepareOptions { KCore = 5 }, log: Console.WriteLine);
Console.WriteLine($"{dataset.Name}: {dataset.NumUsers:N0} users, {dataset.NumItems:N0} items, {dataset.NumInteractions:N0} interactions");

var config = new RunConfig
{
    Name = "console-sample",
    Seed = 42,
    Data = new DataConfig { Path = path, KCore = 5 },
    Model = new ModelConfig { Encoder = "sasrec", EmbeddingDim = 32, MaxSequenceLength = 50, NumBlocks = 2, NumHeads = 1, Dropout = 0.2 },
    Train = new TrainConfig { Epochs = epochs, BatchSize = 128, LearningRate = 1e-3, Patience = 0 },
};

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
var runDir = Path.Combine(Path.GetTempPath(), "genrec-console-sample");
var result = Trainer.Run(config, dataset, runDir, resume: false, new ConsoleProgress(), cancel.Token);
Console.WriteLine($"trained {result.EpochsRun} epochs at {result.SamplesPerSecond:F1} sequences/s: test {string.Join(", ", result.Test.Where(m => m.Key is "hr@10" or "ndcg@10").Select(m => $"{m.Key} {m.Value:F4}"))}");

using var recommender = Recommender.LoadWithDataset(result.Checkpoint, dataset);
var user = dataset.UserKeys[0];
Console.WriteLine($"top 5 for user {user}:");
foreach (var r in recommender.Recommend(user, k: 5))
{
    Console.WriteLine($"  {r.Key,-8} {r.Score,8:F4}  {r.Label}");
}

var history = dataset.ItemKeys.Skip(1).Take(3).ToArray();
var candidates = dataset.ItemKeys.Skip(10).Take(4).ToArray();
var scores = recommender.Rank(history, candidates);
Console.WriteLine($"after [{string.Join(", ", history)}]: " + string.Join(", ", candidates.Select((c, i) => $"{c}={scores[i]:F3}")));
Console.WriteLine($"evaluation: {recommender.Evaluate(new EvalOptions { Ks = [10] }).Summary("hr@10", "ndcg@10")}");

/// <summary>Training progress on the console: one line per validated epoch.</summary>
internal sealed class ConsoleProgress : ITrainingObserver
{
    public void EpochStarted(int epoch, int steps) => Console.WriteLine($"epoch {epoch}: {steps} steps");

    public void StepFinished(int epoch, int step, double loss)
    {
    }

    public void Validated(int epoch, IReadOnlyDictionary<string, double> metrics, bool improved) =>
        Console.WriteLine($"epoch {epoch}: validation ndcg@10 {metrics["ndcg@10"]:F4}{(improved ? " (best)" : "")}");

    public void Message(string text) => Console.WriteLine(text);
}
