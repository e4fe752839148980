using GenRec.Scoring;
using GenRec.Checkpoints;
using GenRec.Configuration;
using GenRec.Data.Splits;
using GenRec.Evaluation;
using GenRec.Models.Baselines;
using GenRec.Training;

namespace GenRec.Tests.Training;

/// <summary>Every encoder, similarity and rated preprocessor trains end to end on planted transitions and survives a save/load round trip.</summary>
public class EncoderTrainingTests
{
    [Theory]
    [InlineData("hstu", "dot", 10, null)]
    [InlineData("gru4rec", "dot", 10, null)]
    [InlineData("bert4rec", "dot", 30, null)]
    [InlineData("sasrec", "mol", 10, null)]
    [InlineData("hstu", "dot", 10, "interleaved")]
    [InlineData("sasrec", "dot", 10, "rated")]
    [InlineData("gru4rec_reference", "dot", 30, null, "last_position")]              // LLM-ESR's GRU4Rec, trained as its research code
    [InlineData("bert4rec", "dot", 30, null, "cloze_last_item")]                      // LLM-ESR's BERT4Rec training set
    public void EachEncoderLearnsPlantedTransitions(string encoder, string similarity, int epochs, string? preprocessor, string? training = null)
    {
        using var dir = new TempDir();
        var data = TrainingTests.CycleDataset(users: 100, items: 30, seed: 5, timed: true, maxLength: 14);
        var run = TrainingTests.SmallRun(epochs);
        run = run with
        {
            Model = run.Model with { Encoder = encoder, Similarity = ClosedChoice.Parse<SimilarityKind>(similarity, "similarity"), NumHeads = 2, MolComponentDim = 8, Preprocessor = preprocessor is null ? null : ClosedChoice.Parse<PreprocessorKind>(preprocessor, "preprocessor") },
            Train = run.Train with
            {
                MaskProbability = 0.4,
                Supervise = training == "last_position" ? SuperviseKind.LastPosition : SuperviseKind.EveryPosition,
                ClozeLastItem = training == "cloze_last_item",
                ClozeReplace = training == "cloze_last_item",
            },
        };
        var result = Trainer.Run(run, data, dir.Path);
        var log = File.ReadAllLines(Path.Combine(dir.Path, "metrics.jsonl")).Select(l => System.Text.Json.JsonSerializer.Deserialize<EpochRecord>(l, RunConfig.Json)!).ToArray();
        Assert.True(log[^1].TrainLoss < log[0].TrainLoss * 0.8, $"{encoder}: loss {log[0].TrainLoss} -> {log[^1].TrainLoss}");
        var split = SequenceSplit.Create(data, SplitKind.LeaveOneOut);
        var popularity = Evaluator.Evaluate(new MostPopular(split.Train, data.NumItems), split.Test).Metrics;
        Assert.True(result.Test["ndcg@10"] > popularity["ndcg@10"] + 0.2, $"{encoder}: ndcg@10 {result.Test["ndcg@10"]:F3} vs popularity {popularity["ndcg@10"]:F3}");

        var (model, _) = RetrievalCheckpoint.LoadModel(result.Checkpoint);
        Assert.Equal(result.Test, Evaluator.Evaluate(new ModelScorer(model), split.Test).Metrics); // save/load round trip
    }

    [Theory]
    [InlineData("bert4rec", "last_position", false, "last_position is for causal models")]
    [InlineData("sasrec", "every_position", true, "cloze_last_item and train.cloze_replace are for cloze models")]
    [InlineData("gru4rec", "final", false, "train.supervise: 'final' is not a choice (available: every_position, last_position)")]
    public void TrainingOptionsThatDoNotFitTheEncoderAreRefused(string encoder, string supervise, bool clozeLastItem, string message)
    {
        using var dir = new TempDir();
        var data = TrainingTests.CycleDataset(users: 20, items: 10, seed: 1, timed: false, maxLength: 12);
        var run = TrainingTests.SmallRun(1);
        var error = Assert.Throws<ArgumentException>(() =>
        {
            run = run with { Model = run.Model with { Encoder = encoder }, Train = run.Train with { Supervise = ClosedChoice.Parse<SuperviseKind>(supervise, "train.supervise"), ClozeLastItem = clozeLastItem } };
            Trainer.Run(run, data, dir.Path);
        });
        Assert.Contains(message, error.Message);
    }
}
