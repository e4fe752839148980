using GenRec.Scoring;
using GenRec.Checkpoints;
using System.CommandLine;
using GenRec.Cli.Terminal;
using GenRec.Data;
using GenRec.Data.Splits;
using GenRec.Evaluation;
using GenRec.Models.Baselines;
using GenRec.Serving;
using GenRec.Training;
using Spectre.Console;

namespace GenRec.Cli.Commands;

/// <summary>
/// <c>genrec quickstart</c>: the bundled MovieLens latest-small, its statistics, the two baselines,
/// a SASRec trained for a few minutes on CPU, its test metrics and sample recommendations.
/// </summary>
internal static class QuickstartCommand
{
    public const string DefaultConfig = "configs/quickstart.json";

    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "Run config", DefaultValueFactory = _ => DefaultConfig };
        var minutes = new Option<double?>("--max-minutes") { Description = "Training time budget (default: the config's)" };
        var output = new Option<string>("--out") { Description = "Run folder", DefaultValueFactory = _ => Path.Combine("runs", "quickstart") };
        var command = new Command("quickstart", "Prepare the bundled dataset, train SASRec for a few minutes, show metrics and recommendations") { config, minutes, output };
        command.SetAction((r, cancel) =>
        {
            var run = BundledFiles.LoadRun(r.GetValue(config)!);
            if (r.GetValue(minutes) is { } m)
            {
                run = run with { Train = run.Train with { MaxMinutes = m } };
            }

            AnsiConsole.Write(new Rule("[bold]GenRec quickstart[/]"));
            var dataset = DatasetLoader.Load(run.Data.ToRequest(DatasetRequest.DefaultCacheDir), Output.Info);
            var stats = DatasetStats.Of(dataset);
            Output.Info($"{stats.Name}: {stats.Users:N0} users, {stats.Items:N0} items, {stats.Interactions:N0} interactions (mean length {stats.MeanLength:F1})");

            var split = SequenceSplit.Create(dataset, run.Data.Split);
            var rows = new List<(string Name, IReadOnlyDictionary<string, double> Metrics)>();
            foreach (var name in BaselineFactory.Names)
            {
                rows.Add((name, Evaluator.Evaluate(BaselineFactory.Create(name, split.Train, dataset.NumItems), split.Test).Metrics));
            }

            AnsiConsole.Write(new Rule($"training {run.Model.Encoder} for up to {run.Train.MaxMinutes} min"));
            var result = TrainCommand.Retrieval(run, r.GetValue(output)!, resume: false, cancel);
            if (result.Interrupted)
            {
                return Task.FromResult(130);
            }

            rows.Add((run.Model.Encoder, result.Test));
            var table = new Table().Title($"test, {split.Test.Length:N0} users, full ranking over {dataset.NumItems:N0} items").AddColumn("model");
            string[] keys = ["hr@10", "ndcg@10", "hr@50", "ndcg@50", "mrr"];
            foreach (var key in keys)
            {
                table.AddColumn(new TableColumn(key).RightAligned());
            }

            foreach (var (name, metrics) in rows)
            {
                table.AddRow([name, .. keys.Select(k => metrics[k].ToString("F4", System.Globalization.CultureInfo.InvariantCulture))]);
            }

            AnsiConsole.Write(table);

            using var model = Checkpoint.Open(result.Checkpoint, new() { Dataset = dataset }).TakeRetrieval("quickstart");
            var recommender = new TopKRecommender(new ModelScorer(model, FeatureResolution.UsersFor(model.Config, dataset)), dataset);
            foreach (var user in new[] { 0, dataset.NumUsers / 2, dataset.NumUsers - 1 })
            {
                AnsiConsole.MarkupLine($"[bold]user {Markup.Escape(dataset.UserKeys[user])}[/]");
                var history = dataset.Sequences[user];
                RecommendCommand.Print(dataset, history, recommender.Recommend(history, 5));
            }

            Output.Info($"model: {result.Checkpoint}; try: genrec recommend --checkpoint {result.Checkpoint} --user {dataset.UserKeys[0]}");
            Output.Info($"or serve it over HTTP: genrec serve --checkpoint {result.Checkpoint}  (then POST /recommend {{\"user\": \"{dataset.UserKeys[0]}\", \"k\": 10}})");
            return Task.FromResult(0);
        });
        return command;
    }
}
