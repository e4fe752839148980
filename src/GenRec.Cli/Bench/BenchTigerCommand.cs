using System.CommandLine;
using GenRec.Configuration;

namespace GenRec.Cli.Bench;

/// <summary>
/// <c>genrec bench tiger &lt;dataset&gt;</c>: TIGER's whole chain on one dataset. Item vectors, then RQ-VAE semantic IDs,
/// then the training-free floors under TIGER's protocol (no history filtering; text kNN on the same vectors), then TIGER
/// with constrained beam search, then the paper's ablation with random IDs at the same budget. IDs and vectors are kept in
/// <c>&lt;runs&gt;/ids/</c> and reused; every training resumes from its run folder's <c>last.ckpt</c>, so the command can be
/// stopped and started again. Writes <c>bench/results/tiger/</c>: <c>rqvae-&lt;name&gt;.json</c>, the floors'
/// <c>*-unfiltered-&lt;dataset&gt;.json</c> (in <c>floors/</c>), <c>tiger[-&lt;tag&gt;]-&lt;dataset&gt;.json</c> and
/// <c>tiger-random-ids[-&lt;tag&gt;]-&lt;dataset&gt;.json</c>.
/// </summary>
internal static class BenchTigerCommand
{
    /// <summary>Where the semantic IDs come from.</summary>
    public static readonly string[] IdSources = ["minilm", "arctic-xs", "glove", "collaborative", "letter"];

    public static Command Create()
    {
        var dataset = new Argument<string>("dataset") { Description = "Dataset whose configs/<dataset>-tiger.json is trained (amazon-beauty, amazon-sports)" };
        var ids = new Option<string>("--ids") { Description = "Semantic ID source: a sentence encoder over the item text (minilm, arctic-xs, glove), item co-occurrence (collaborative: Sports has no text), or LETTER's published IDs (letter)", DefaultValueFactory = _ => "minilm" };
        ids.AcceptOnlyFromAmong(IdSources);
        var epochs = new Option<int?>("--epochs") { Description = "Validations to train (each train.steps_per_epoch steps; the config's own limit otherwise): a CPU budget" };
        var fast = new Option<bool>("--fast") { Description = "Every TIGER run with bf16 matrix products and without the collision code in the encoder input (tag bf16-no-collision-input, run folders <name>-fast)" };
        var noCollision = new Option<bool>("--no-collision-input") { Description = "Also TIGER without the collision code in the encoder input (model.input_collision_code false) at the same budget" };
        var runs = BenchCommand.RunsOption();
        var command = new Command("tiger", "TIGER's chain on a dataset: item vectors, RQ-VAE semantic IDs, floors on the same vectors, TIGER, and TIGER with random IDs (resumable)")
        {
            dataset, ids, epochs, fast, noCollision, runs,
        };
        command.SetAction(r =>
        {
            var name = r.GetValue(dataset)!;
            var config = Path.Combine("configs", $"{name}-tiger.json");
            var dataPath = JsonConfig.Load<TigerRunConfig>(config).Data.Path;
            var from = r.GetValue(ids)!;
            var folder = Path.Combine(r.GetValue(runs)!, "ids");
            Directory.CreateDirectory(folder);
            var table = Path.Combine(folder, $"{name}-{from}.tsv");
            var vectors = Path.Combine(folder, $"{name}-{from}.npy");
            if (!File.Exists(table))
            {
                string[] build = from switch
                {
                    "collaborative" => ["semantic-ids", dataPath, "--collaborative", "64", "--out", table, "--name", name],
                    "letter" => ["semantic-ids", dataPath, "--import-letter", Path.Combine(dataPath, "reference", "letter_Beauty.index.json"), "--out", table],
                    _ => ["semantic-ids", dataPath, "--embeddings", vectors, "--out", table, "--name", $"{name}-{from}"],
                };
                if (from is "minilm" or "arctic-xs" or "glove" && !File.Exists(vectors))
                {
                    GenRecChild.RunChecked("text embed", ["text", "embed", dataPath, "--encoder", from, "--out", vectors, "--show", "0"]);
                }

                GenRecChild.RunChecked("semantic-ids", build);
            }

            // The floors under TIGER's protocol (no history filtering), text kNN on the vectors the IDs were built from.
            GenRecChild.RunChecked("bench baselines", ["bench", "baselines", dataPath, "--name", name, "--no-history-filter", .. File.Exists(vectors) ? new[] { "--embeddings", vectors } : []]);

            var budget = new List<string>();
            if (r.GetValue(epochs) is { } n)
            {
                budget.AddRange(["--epochs", n.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            }

            var fastTag = r.GetValue(fast) ? "bf16-no-collision-input" : null;
            var suffix = fastTag is null ? "" : "-fast";
            if (fastTag is not null)
            {
                budget.AddRange(["--set", "compute.precision=bf16", "--set", "model.input_collision_code=false"]);
            }

            // The JSON tag: the ID source unless it is the dataset's usual one, and the fast variant.
            var idsTag = from is "minilm" or "collaborative" ? null : from;
            var baseRuns = r.GetValue(runs)!;
            Train(config, ["--semantic-ids", table], Tag(idsTag, fastTag), Path.Combine(baseRuns, $"tiger-{name}-{from}{suffix}"), budget);
            Train(config, ["--random-ids"], Tag(fastTag), Path.Combine(baseRuns, $"tiger-random-ids-{name}{suffix}"), budget);
            if (r.GetValue(noCollision))
            {
                Train(config, ["--set", "model.input_collision_code=false", "--semantic-ids", table], Tag(idsTag, "no-collision-input"), Path.Combine(baseRuns, $"tiger-{name}-{from}-no-collision-input"), budget);
            }

            return 0;
        });
        return command;
    }

    private static void Train(string config, string[] ids, string? tag, string runFolder, List<string> budget) =>
        GenRecChild.RunChecked($"tiger train ({runFolder})", ["tiger", "train", "--config", config, .. ids, .. tag is null ? Array.Empty<string>() : ["--tag", tag], "--out", runFolder, "--resume", .. budget]);

    /// <summary>The parts given, joined by '-' (null: none).</summary>
    internal static string? Tag(params string?[] parts) =>
        parts.Where(p => !string.IsNullOrEmpty(p)).ToArray() is { Length: > 0 } given ? string.Join('-', given) : null;
}
