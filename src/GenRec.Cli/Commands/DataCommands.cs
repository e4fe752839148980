using GenRec.Configuration;
using System.CommandLine;
using System.Text.Json;
using GenRec.Cli.Terminal;
using GenRec.Data;
using Spectre.Console;

namespace GenRec.Cli.Commands;

/// <summary><c>genrec data prepare</c> and <c>genrec data stats</c>.</summary>
internal static class DataCommands
{
    public static Command Create()
    {
        var data = new Command("data", "Prepare datasets and show their statistics");
        data.Add(Prepare());
        data.Add(Stats());
        data.Add(Download());
#if GENREC_DUCKDB
        data.Add(LargeLogCommands.PrepareLarge());
        data.Add(LargeLogCommands.Synthesize());
#endif
        return data;
    }

    private static Command Download()
    {
        var name = new Argument<string>("name") { Description = $"One of: {string.Join(", ", GenRec.Data.Download.DownloadSource.Catalog.Select(s => s.Name))}" };
        var folder = new Option<string>("--to") { Description = "Folder to download into", DefaultValueFactory = _ => Path.Combine(".genrec", "downloads") };
        var sha = new Option<string?>("--sha256") { Description = "Expected SHA-256 (for sources without a published checksum)" };
        var command = new Command("download", "Download a public dataset (needs internet) and check its checksum") { name, folder, sha };
        command.SetAction(async (r, cancel) =>
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(30) };
            var downloader = new GenRec.Data.Download.DatasetDownloader(http);
            var path = await AnsiConsole.Progress().AutoClear(true).StartAsync(async ctx =>
            {
                var task = ctx.AddTask($"downloading {r.GetValue(name)}");
                var progress = new Progress<(long Done, long? Total)>(p =>
                {
                    task.MaxValue = p.Total ?? Math.Max(task.MaxValue, p.Done + 1);
                    task.Value = p.Done;
                });
                return await downloader.DownloadAsync(r.GetValue(name)!, r.GetValue(folder)!, r.GetValue(sha), progress, Output.Info, cancel);
            });
            System.Console.WriteLine($"ready: {path}");
            return 0;
        });
        return command;
    }

    private static Command Prepare()
    {
        var options = new DatasetOptions();
        var output = new Option<string?>("--out") { Description = "Write the prepared dataset to this .grd file" };
        var command = new Command("prepare", "Parse, filter and remap a dataset into the binary cache (or --out)");
        options.AddTo(command);
        command.Add(output);
        command.SetAction(r =>
        {
            var dataset = DatasetLoader.Load(options.Request(r), Output.Info);
            PrintReport(dataset);
            if (r.GetValue(output) is { } path)
            {
                DatasetLoader.Save(dataset, path);
                Output.Info($"wrote {path}");
            }

            return 0;
        });
        return command;
    }

    private static Command Stats()
    {
        var options = new DatasetOptions();
        var json = new Option<bool>("--json") { Description = "Print the statistics as JSON" };
        var command = new Command("stats", "Show users, items, interactions and sequence lengths");
        options.AddTo(command);
        command.Add(json);
        command.SetAction(r =>
        {
            var dataset = DatasetLoader.Load(options.Request(r), r.GetValue(json) ? null : Output.Info);
            var stats = DatasetStats.Of(dataset);
            if (r.GetValue(json))
            {
                System.Console.WriteLine(JsonSerializer.Serialize(stats, RunConfig.Json));
                return 0;
            }

            var table = new Table().Title(Markup.Escape(stats.Name)).AddColumn("statistic").AddColumn(new TableColumn("value").RightAligned());
            table.AddRow("users", $"{stats.Users:N0}");
            table.AddRow("items", $"{stats.Items:N0}");
            table.AddRow("interactions", $"{stats.Interactions:N0}");
            table.AddRow("sequence length mean / median", $"{stats.MeanLength:F2} / {stats.MedianLength:F1}");
            table.AddRow("sequence length min / max", $"{stats.MinLength:N0} / {stats.MaxLength:N0}");
            table.AddRow("density", $"{stats.Density:P3}");
            table.AddRow("ratings / timestamps", $"{(stats.HasRatings ? "yes" : "no")} / {(stats.HasTimestamps ? "yes" : "no")}");
            table.AddRow("items with metadata", $"{stats.ItemsWithMetadata:N0}");
            AnsiConsole.Write(table);
            PrintReport(dataset);
            return 0;
        });
        return command;
    }

    private static void PrintReport(SequenceDataset d)
    {
        var p = d.Report;
        Output.Info($"read {p.RowsRead:N0} rows ({p.UsersRead:N0} users, {p.ItemsRead:N0} items) from {p.Source} as {p.Format}");
        if (p.KCore > 1)
        {
            Output.Info($"{p.KCore}-core ({p.KCoreMode}, {p.KCorePasses} passes) removed {p.RowsRemovedByKCore:N0} rows, {p.UsersRemovedByKCore:N0} users, {p.ItemsRemovedByKCore:N0} items");
        }

        Output.Info($"prepared {d.NumUsers:N0} users, {d.NumItems:N0} items, {d.NumInteractions:N0} interactions; {p.ItemsWithMetadata:N0} items have metadata ({p.MetadataEntriesWithoutInteractions:N0} metadata entries have no interactions)");
    }
}
