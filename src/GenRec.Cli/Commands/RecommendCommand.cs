using GenRec.Scoring;
using GenRec.Checkpoints;
using System.CommandLine;
using GenRec.Cli.Terminal;
using GenRec.Data;
using GenRec.Serving;
using GenRec.Training;
using Spectre.Console;

namespace GenRec.Cli.Commands;

/// <summary><c>genrec recommend</c>: top-k items for a known user or a given history.</summary>
internal static class RecommendCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "Model checkpoint (.ckpt)", Required = true };
        var user = new Option<string?>("--user") { Description = "Original user id: recommend after the user's whole sequence" };
        var history = new Option<string?>("--history") { Description = "Comma-separated original item ids, oldest first" };
        var k = new Option<int>("-k", "--top") { Description = "How many items", DefaultValueFactory = _ => 10 };
        var device = DeviceOption.Create();
        var command = new Command("recommend", "Recommend the top-k next items") { checkpoint, user, history, k, device };
        command.SetAction(r =>
        {
            using var opened = Checkpoint.Open(r.GetValue(checkpoint)!, new() { Device = DeviceOption.Resolve(r.GetValue(device)), Log = Output.Info });
            using var model = opened.TakeRetrieval("recommend");
            var dataset = opened.Dataset;
            var withdrawn = Catalog.ItemCatalog.WithdrawnOf(r.GetValue(checkpoint)!, dataset);      // items out of stock are never recommended
            var recommender = new TopKRecommender(new ModelScorer(model, FeatureResolution.UsersFor(model.Config, dataset)), dataset, withdrawn);
            int[] items = r.GetValue(user) is { } u ? recommender.HistoryOf(u)
                : r.GetValue(history) is { } h ? recommender.ItemsOf(h.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                : throw new ArgumentException("give --user or --history");
            var known = r.GetValue(user) is { } key ? dataset.UserIds[key] : -1; // a known user's stored features, when the model reads them
            Print(dataset, items, recommender.Recommend(items, r.GetValue(k), user: known));
            return 0;
        });
        return command;
    }

    public static void Print(SequenceDataset dataset, int[] history, IReadOnlyList<Recommendation> recs)
    {
        var recent = string.Join("; ", history.TakeLast(3).Select(dataset.ItemLabel));
        var table = new Table().Title(Markup.Escape($"after {history.Length} items (last: {recent})")).AddColumn("#").AddColumn("item").AddColumn("title").AddColumn(new TableColumn("score").RightAligned());
        for (var i = 0; i < recs.Count; i++)
        {
            table.AddRow($"{i + 1}", Markup.Escape(recs[i].Key), Markup.Escape(recs[i].Label), $"{recs[i].Score:F4}");
        }

        AnsiConsole.Write(table);
    }
}
