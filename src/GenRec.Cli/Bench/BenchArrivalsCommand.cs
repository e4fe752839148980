using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GenRec.Checkpoints;
using GenRec.Cli.Commands;
using GenRec.Cli.Terminal;
using GenRec.Configuration;
using GenRec.Data;
using GenRec.Data.Splits;
using GenRec.Evaluation;
using GenRec.Models.Baselines;
using GenRec.Scoring;
using GenRec.Training;

namespace GenRec.Cli.Bench;

/// <summary>
/// <c>genrec bench arrivals</c>: the open catalogue over time on a timestamped log. A model trained on the log up to
/// <c>--before</c> is updated on the log up to <c>--cut</c> (<c>train.init_from</c>; new items start from their text)
/// and compared with the same config trained from scratch on that log; all three, and the floors of the log up to the
/// cut, are tested on what came after it (every interaction after the cut, <see cref="NextPeriod"/>).
/// Trainings run as child processes of this build, resumable; writes <c>bench/results/catalog/arrivals-&lt;name&gt;.json</c>.
/// </summary>
internal static class BenchArrivalsCommand
{
    public static Command Create(Option<string> output)
    {
        var config = new Option<string>("--config") { Description = "Retrieval config (bundled name or file) of a timestamped log", Required = true };
        var before = new Option<DateTimeOffset>("--before") { Description = "End of the first period: the model to update is trained on the log before it", Required = true };
        var cut = new Option<DateTimeOffset>("--cut") { Description = "End of the second period: update and retrain on the log before it, test on what came after", Required = true };
        var epochs = new Option<int>("--epochs") { Description = "Epochs of a training from scratch", DefaultValueFactory = _ => 40 };
        var updateEpochs = new Option<int>("--update-epochs") { Description = "Epochs of the update", DefaultValueFactory = _ => 10 };
        var seed = new Option<int>("--seed") { Description = "Seed of every training", DefaultValueFactory = _ => 42 };
        var name = new Option<string>("--name") { Description = "Name of the study in the result and run folder names", Required = true };
        var runs = BenchCommand.RunsOption();
        var command = new Command("arrivals", "Update against retrain on a timestamped log: train before a date, update or retrain up to a later one, test on what came after")
        {
            config, before, cut, epochs, updateEpochs, seed, name, runs, output,
        };
        command.SetAction(r =>
        {
            var clock = Stopwatch.StartNew();
            var (first, second) = (r.GetValue(before), r.GetValue(cut));
            if (first >= second)
            {
                throw new ArgumentException($"--before {first:u} must come before --cut {second:u}");
            }

            var study = r.GetValue(name)!;
            var folder = Path.Combine(r.GetValue(runs)!, $"arrivals-{study}");
            Directory.CreateDirectory(folder);
            var configName = r.GetValue(config)!;
            var run = BundledFiles.LoadRun(configName);
            string Until(DateTimeOffset time) => $"data.until=\"{time.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}\"";
            string[] Common(DateTimeOffset until, int count, string outDir) =>
                ["train", "--config", configName, "--set", Until(until), "--epochs", count.ToString(CultureInfo.InvariantCulture), "--seed", r.GetValue(seed).ToString(CultureInfo.InvariantCulture), "--out", outDir, "--resume"];

            // The newer log's item text, for the rows of the items the update meets first.
            var text = Path.Combine(folder, "text-cut.npy");
            if (!File.Exists(text))
            {
                GenRecChild.RunChecked("text embed", ["text", "embed", run.Data.Path, "--kcore", run.Data.KCore.ToString(CultureInfo.InvariantCulture), "--until", $"{second.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}", "--out", text, "--show", "0"]);
            }

            var (older, scratch, update) = (Path.Combine(folder, "before"), Path.Combine(folder, "cut-scratch"), Path.Combine(folder, "cut-update"));
            GenRecChild.RunChecked("train before", Common(first, r.GetValue(epochs), older));
            GenRecChild.RunChecked("retrain from scratch", Common(second, r.GetValue(epochs), scratch));
            GenRecChild.RunChecked("update", [.. Common(second, r.GetValue(updateEpochs), update), "--init-from", Path.Combine(older, Trainer.LastCheckpoint), "--init-text", text]);

            // Every model tested on the same cases: the period after the cut, read against the cut's catalogue.
            using var cutModel = Checkpoint.Open(Path.Combine(scratch, Trainer.LastCheckpoint), new() { Log = Output.Info });
            var whole = NextPeriod.WholeLog(run.Data, Output.Info);
            var period = NextPeriod.Create(cutModel.Dataset, whole, second.ToUnixTimeSeconds());
            Output.Info($"after {second:u}: {period.Interactions} interactions of {period.UsersInPeriod} users, {period.TargetsOutside} of items unknown at the cut, {period.Cases.Length} cases");
            var options = run.Train.EvalOptions(run.Model.MaxSequenceLength);
            var arms = new SortedDictionary<string, object>();
            var metrics = new SortedDictionary<string, double>();
            foreach (var (arm, runFolder) in new[] { ("retrained", scratch), ("updated", update), ("not-updated", older) })
            {
                using var opened = arm == "retrained" ? null : Checkpoint.Open(Path.Combine(runFolder, Trainer.LastCheckpoint), new() { Log = Output.Info });
                var model = (opened ?? cutModel).TakeRetrieval("the arrivals test");
                if (model.NumItems != cutModel.Dataset.NumItems && arm != "not-updated")
                {
                    throw new InvalidOperationException($"{arm}: {model.NumItems} items, the cut's catalogue has {cutModel.Dataset.NumItems}");
                }

                // The model from before the cut knows fewer items: its cases are the same users read against its own catalogue.
                var cases = arm == "not-updated" ? NextPeriod.Create(opened!.Dataset, whole, second.ToUnixTimeSeconds()) : period;
                var result = Evaluator.Evaluate(new ModelScorer(model), cases.Cases, options);
                var seconds = JsonSerializer.Deserialize<TrainingResult>(File.ReadAllText(Path.Combine(runFolder, "result.json")), RunConfig.Json)!.TrainSeconds;
                arms[arm] = new { metrics = result.Metrics, cases = cases.Cases.Length, train_seconds = seconds, hr10_standard_error = StandardError(result.Ranks, 10) };
                metrics[$"{arm}_hr@10"] = result.Metrics["hr@10"];
                metrics[$"{arm}_ndcg@10"] = result.Metrics["ndcg@10"];
                metrics[$"{arm}_train_s"] = seconds;
                Output.Info($"{arm}: hr@10 {result.Metrics["hr@10"]:F4} ndcg@10 {result.Metrics["ndcg@10"]:F4} on {cases.Cases.Length} cases, {seconds:F0} s of training");
            }

            foreach (var floor in BaselineFactory.Names)
            {
                var result = Evaluator.Evaluate(BaselineFactory.Create(floor, cutModel.Dataset.Sequences, cutModel.Dataset.NumItems), period.Cases, options);
                arms[floor] = new { metrics = result.Metrics, cases = period.Cases.Length, hr10_standard_error = StandardError(result.Ranks, 10) };
                metrics[$"{floor}_hr@10"] = result.Metrics["hr@10"];
                metrics[$"{floor}_ndcg@10"] = result.Metrics["ndcg@10"];
                Output.Info($"{floor}: hr@10 {result.Metrics["hr@10"]:F4} ndcg@10 {result.Metrics["ndcg@10"]:F4}");
            }

            var report = BenchReport.Create(
                "arrivals",
                study,
                $"{configName} trained on the log before {first:u} ({r.GetValue(epochs)} epochs), then on the log before {second:u}: updated from it ({r.GetValue(updateEpochs)} epochs, train.init_from, new items from their text) or retrained from scratch ({r.GetValue(epochs)} epochs); tested on every interaction after {second:u} with what the user did before it as the history ({period.Cases.Length} cases; {period.TargetsOutside} of {period.Interactions} interactions with items unknown at the cut left out), full ranking over the cut's items, history filtered; floors from the log before the cut; train seconds from each run's result.json, runs one after another on this machine",
                metrics,
                clock.Elapsed.TotalSeconds,
                new { config = configName, before = first, cut = second, epochs = r.GetValue(epochs), update_epochs = r.GetValue(updateEpochs), seed = r.GetValue(seed) },
                new { arms, users_in_period = period.UsersInPeriod, interactions = period.Interactions, targets_outside = period.TargetsOutside });
            var path = report.Write(r.GetValue(output)!, null);
            Console.WriteLine(report.Summary() + $" -> {path}");
            return 0;
        });
        return command;
    }

    // Standard error of HR@k over the cases: sqrt(p (1 - p) / n).
    private static double StandardError(int[] ranks, int k)
    {
        var p = ranks.Count(rank => rank < k) / (double)Math.Max(1, ranks.Length);                     // ranks from 0
        return Math.Sqrt(p * (1 - p) / Math.Max(1, ranks.Length));
    }
}
