using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using GenRec.Checkpoints;
using GenRec.Configuration;
using GenRec.Data;
using GenRec.Util;

namespace GenRec.Cli.Bench;

/// <summary>
/// <c>genrec bench cold-items-retest &lt;result.json&gt; --checkpoint &lt;best.ckpt&gt; --cold-items &lt;npy&gt;</c>: runs the
/// cold-item test again on a finished run's checkpoint and replaces the <c>cold_items</c> section of its bench JSON
/// (atomically; everything else is kept): for runs tested by an earlier version of the test, without retraining.
/// </summary>
internal static class BenchColdItemsRetestCommand
{
    public static Command Create()
    {
        var result = new Argument<string>("result") { Description = "The run's bench JSON (from bench train or bench seeds --cold-items)" };
        var checkpoint = new Option<string>("--checkpoint") { Description = "The run's selected checkpoint (best.ckpt), trained with data.cold_item_share", Required = true };
        var coldItems = BenchTrainCommand.ColdItemsOption();
        coldItems.Required = true;
        var command = new Command("cold-items-retest", "Run the cold-item test again on a finished run's checkpoint and replace its bench JSON's cold_items section") { result, checkpoint, coldItems };
        command.SetAction(r =>
        {
            var path = r.GetValue(result)!;
            var json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{path}: not a JSON object");
            var ckpt = r.GetValue(checkpoint)!;
            var header = Checkpoint.ReadHeader(ckpt) as RetrievalCheckpoint.Header ?? throw new ArgumentException($"{ckpt}: not a retrieval checkpoint");
            var run = header.Config;
            var npy = BenchTrainCommand.ColdItemText(r.GetValue(coldItems), run.Data)!;
            var dataset = DatasetLoader.Load((run.Data with { Path = Checkpoint.DataLocationOf(ckpt) }).ToRequest(DatasetRequest.DefaultCacheDir), _ => { });
            var model = json["model"]?.GetValue<string>() ?? run.Model.Encoder;
            var section = BenchTrainCommand.ColdItemsOf(run, dataset, ckpt, npy, model);
            json["cold_items"] = JsonSerializer.SerializeToNode(section, RunConfig.Json);
            AtomicFile.WriteAllText(path, json.ToJsonString(RunConfig.Json));
            System.Console.WriteLine($"cold_items of {path} replaced from {ckpt}");
            return 0;
        });
        return command;
    }
}
