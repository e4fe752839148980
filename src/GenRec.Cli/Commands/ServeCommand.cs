using System.CommandLine;
using GenRec.Cli.Serving;
using GenRec.Cli.Terminal;
using GenRec.Data;
using GenRec.Serving;
using Spectre.Console;

namespace GenRec.Cli.Commands;

/// <summary><c>genrec serve</c>: the HTTP recommendation service on a trained retrieval checkpoint.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "Model checkpoint (.ckpt), e.g. runs/quickstart/best.ckpt", Required = true };
        var host = new Option<string>("--host") { Description = "Address to bind (loopback by default)", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "TCP port (0 picks a free one)", DefaultValueFactory = _ => 8080 };
        var ranker = new Option<string?>("--ranker") { Description = "HSTU ranking checkpoint (from bench rank) for /rank's task probabilities" };
        var index = new Option<string>("--index") { Description = "Top-k index: exact or hnsw", DefaultValueFactory = _ => "exact" };
        var maxBody = new Option<int>("--max-body-kb") { Description = "Largest request body in KiB (413 above)", DefaultValueFactory = _ => 256 };
        var maxHistory = new Option<int>("--max-history") { Description = "Longest accepted history, in items", DefaultValueFactory = _ => 2_000 };
        var device = DeviceOption.Create();
        var command = new Command("serve", "Serve /recommend, /rank, /health, /metrics and /reload over HTTP") { checkpoint, ranker, host, port, index, maxBody, maxHistory, device };
        command.SetAction(async (r, cancel) =>
        {
            var indexKind = r.GetValue(index)!;
            var on = DeviceOption.Resolve(r.GetValue(device));
            RetrievalEngine Load(string path) => RetrievalEngine.Load(path, DatasetRequest.DefaultCacheDir, indexKind, Output.Info, on);
            var engine = Load(r.GetValue(checkpoint)!);
            var options = new ServiceOptions { Host = r.GetValue(host)!, Port = r.GetValue(port), MaxBodyBytes = r.GetValue(maxBody) * 1024L, MaxHistory = r.GetValue(maxHistory) };
            var rankingEngine = r.GetValue(ranker) is { } rankerPath ? RankingEngine.Load(rankerPath, engine.Dataset, on) : null;
            await using var app = RecommendationService.Build(new ModelHost(engine, rankingEngine, Load, (path, dataset) => RankingEngine.Load(path, dataset, on)), options);
            await app.StartAsync(cancel);
            AnsiConsole.MarkupLine($"serving [bold]{Markup.Escape(engine.Source)}[/] ({engine.Dataset.NumItems:N0} items, index {Markup.Escape(engine.IndexName)}{(rankingEngine is null ? "" : $", ranker {Markup.Escape(rankingEngine.Source)}")}) at [bold]{RecommendationService.Address(app)}[/]; Ctrl+C stops");
            try
            {
                await Task.Delay(Timeout.Infinite, cancel);
            }
            catch (OperationCanceledException)
            {
            }

            await app.StopAsync(CancellationToken.None);
            return 0;
        });
        return command;
    }
}
