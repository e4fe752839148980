using GenRec.Catalog;
using GenRec.Configuration;
using GenRec.Data;
using GenRec.Data.Splits;
using GenRec.Evaluation;
using GenRec.Models;
using GenRec.Scoring;
using static TorchSharp.torch;

namespace GenRec.Tests.Catalog;

/// <summary>The cold-item test puts mapped rows in place of the cold ones, tests cold and warm users apart, and restores the model.</summary>
public class ColdItemEvaluationTests
{
    [Fact]
    public void WhereIdRowsAreLinearInTheTextRidgeRestoresTheColdRowsAndTheModelsFigures()
    {
        var random = new Random(11);
        var data = Datasets.FromInteractions("planted", Enumerable.Range(1, 150).SelectMany(u => Enumerable.Range(0, 6).Select(t => new Interaction($"u{u}", $"i{1 + random.Next(60)}", (u * 100) + t))));
        var config = GenRec.Tests.Training.TrainingTests.SmallRun(1) with { Seed = 3, Data = new DataConfig { ColdItemShare = 0.2 } };
        manual_seed(5);
        using var model = new SequentialRecommender(config.Model, data.NumItems);
        // Text vectors [N + 1, 12] (row 0, padding, zero) and ID rows that are exactly a linear function of them.
        var textValues = new float[(data.NumItems + 1) * 12];
        for (var i = 12; i < textValues.Length; i++)
        {
            textValues[i] = (float)((random.NextDouble() * 2) - 1);
        }

        using var text = tensor(textValues).reshape(data.NumItems + 1, 12);
        using var linear = text.matmul(randn(12, config.Model.EmbeddingDim)) + 0.1;
        using (no_grad())
        {
            model.IdEmbeddings.copy_(linear);
        }

        using var before = model.IdEmbeddings.detach().clone();
        var (split, cold) = ColdItems.Split(data, SplitKind.LeaveOneOut, 0.2, seed: 3);
        model.eval();
        var coldCases = split.Test.Where(c => cold[c.Target]).ToArray();
        var expected = Evaluator.Evaluate(new ModelScorer(model), coldCases, config.Train.EvalOptions(config.Model.MaxSequenceLength));

        var report = ColdItemEvaluation.Run(model, data, config, (textValues, 12), "m");

        Assert.Equal(cold.Count(c => c), report.ColdItems);
        Assert.Equal(coldCases.Length, report.ColdCases);
        Assert.Equal(split.Test.Length - coldCases.Length, report.WarmCases);
        Assert.True(report.Mappings["ridge"].R2 > 0.999, $"R2 {report.Mappings["ridge"].R2}");
        var arms = report.Arms.ToDictionary(a => a.Name);
        var chosen = report.Selection!.Chosen;
        var shared = $"m-{chosen}-new-item-share-0.1";
        string[] rule = [shared, shared + "-by-text"];
        Assert.Equal(
            ["m-untrained-rows", "m-ridge", .. chosen == "ridge" ? rule : [], "m-mlp", .. chosen == "mlp" ? rule : [], "m-knn", .. chosen == "knn" ? rule : [], "text-knn", "most-popular", "random"],
            report.Arms.Select(a => a.Name));
        // The serving rule for new items: a place of each top 10 kept for cold items helps cold targets and can only cost
        // warm ones; by either order, the same place is given up, so the warm targets fare the same.
        foreach (var arm in rule)
        {
            Assert.True(arms[arm].Cold["hr@10"] >= arms[$"m-{chosen}"].Cold["hr@10"], $"{arm} lifts cold targets");
            Assert.True(arms[arm].Warm["hr@10"] <= arms[$"m-{chosen}"].Warm["hr@10"], $"{arm} never lifts warm targets");
        }

        Assert.Equal(arms[shared].Warm["hr@10"], arms[rule[1]].Warm["hr@10"]);
        Assert.Equal(expected["ndcg@10"], arms["m-untrained-rows"].Cold["ndcg@10"], 6);   // the model as given
        Assert.Equal(expected["ndcg@10"], arms["m-ridge"].Cold["ndcg@10"], 3);            // the rows the mapping put back
        Assert.Equal(0, arms["most-popular"].Cold["hr@10"]);                               // cold items have no training count
        Assert.True(model.IdEmbeddings.allclose(before), "the model's rows are restored");

        // The mapping chosen on validation: ridge puts the held-out warm items' rows back, so it scores as the model does.
        var selection = report.Selection!;
        Assert.Equal(["knn", "mlp", "ridge"], selection.Kinds.Keys.Order());
        var heldCases = split.Valid.Where(c => selection.HeldOutItems.Contains(c.Target)).ToArray();
        Assert.Equal(heldCases.Length, selection.HeldOutCases);
        Assert.NotEmpty(heldCases);
        var validation = config.Train.EvalOptions(config.Model.MaxSequenceLength) with { Unranked = cold, Ks = [10] };
        Assert.Equal(Evaluator.Evaluate(new ModelScorer(model), heldCases, validation)["hr@10"], selection.Kinds["ridge"].HeldOutHr10, 3);
        Assert.Equal(selection.Kinds.MaxBy(k => k.Value.HeldOutHr10).Key, selection.Chosen);
    }
}
