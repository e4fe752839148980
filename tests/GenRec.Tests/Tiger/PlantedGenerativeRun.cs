using GenRec.Checkpoints;
using GenRec.Configuration;
using GenRec.Data;
using GenRec.Data.Splits;
using GenRec.Evaluation;
using GenRec.Models.Tiger;
using GenRec.Serving;
using GenRec.Tests.Serving;
using GenRec.Tests.Training;
using GenRec.Training;
using GenRec.Training.Tiger;

namespace GenRec.Tests.Tiger;

/// <summary>
/// A semantic-ID model trained end to end on planted transitions (300 users, 120 items whose next item is fixed, random
/// IDs): it must learn them (recall@1 far above chance 1/120), and its run folder must serve what the offline evaluation
/// generates.
/// </summary>
internal sealed class PlantedGenerativeRun : IDisposable
{
    private readonly TempDir dir = new();

    public PlantedGenerativeRun(TigerConfig model, int levels, int codebookSize)
    {
        Data = TrainingTests.CycleDataset(users: 300, items: 120, seed: 5);
        Ids = SemanticIdFile.Random(Data.NumItems, levels, codebookSize, seed: 2);
        Run = new TigerRunConfig
        {
            Seed = 4,
            Model = model,
            Train = new TigerTrainConfig { BatchSize = 32, LearningRate = 3e-3, WarmupSteps = 20, Epochs = 12, Patience = 0, Beams = 10, MaxValidationUsers = 100 },
        };
        Result = TigerTrainer.Run(Run, Data, Ids, dir.Path, resume: false, new SilentObserver());
    }

    public SequenceDataset Data { get; }

    public int[][] Ids { get; }

    public TigerRunConfig Run { get; }

    public TigerResult Result { get; }

    public string Checkpoint => Path.Combine(dir.Path, "best.ckpt");

    /// <summary>
    /// The checkpoint, opened as a model of type <typeparamref name="T"/> and served: for test users, <c>/recommend</c> gives
    /// the offline generation's top 10 with its scores, <c>/rank</c> of those items gives the same scores, and history
    /// filtering leaves the history out.
    /// </summary>
    public void AssertServedAsOffline<T>()
        where T : SemanticIdGenerator
    {
        using var model = Assert.IsType<T>(TigerCheckpoint.Open(Checkpoint, new CheckpointOpenOptions { Dataset = Data }).Model);
        using var engine = GenerativeEngine.Load(Checkpoint, new CheckpointOpenOptions { Dataset = Data });
        EvalCase[] cases = [.. SequenceSplit.Create(Data, SplitKind.LeaveOneOut).Test.Take(8)];
        var offline = TigerTrainer.Generate(model, Ids, new SemanticIdTrie(Ids), cases, beams: 20, constrained: true);
        for (var c = 0; c < cases.Length; c++)
        {
            var served = engine.Recommend(cases[c].History, 10, filterHistory: false, user: cases[c].User);
            Assert.Equal(offline[c].Take(10).Select(g => g.Item), served.Select(r => r.Item));
            Assert.Equal(offline[c].Take(10).Select(g => g.LogProbability), served.Select(r => r.Score), new FloatTolerance(1e-4f));
            Assert.Equal(served.Select(r => r.Score), engine.Rank(cases[c].History, [.. served.Select(r => r.Item)], cases[c].User), new FloatTolerance(1e-4f));
            Assert.DoesNotContain(engine.Recommend(cases[c].History, 10, filterHistory: true, user: cases[c].User), r => cases[c].History.Contains(r.Item));
        }
    }

    public void Dispose() => dir.Dispose();
}
