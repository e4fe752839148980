using GenRec.Scoring;
using GenRec.Checkpoints;
using System.CommandLine;
using GenRec.Cli.Terminal;
using GenRec.Data;
using GenRec.Data.Splits;
using GenRec.Evaluation;
using GenRec.Models.Baselines;
using GenRec.Training;
using Spectre.Console;

namespace GenRec.Cli.Commands;

/// <summary><c>genrec eval</c>: evaluates a checkpoint or a baseline on the held-out test (or validation) cases.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Model checkpoint (.ckpt) to evaluate" };
        var baseline = new Option<string?>("--baseline") { Description = $"Evaluate a baseline instead: {string.Join(", ", BaselineFactory.Names)}, {BaselineFactory.TextKnnName} (with --embeddings)" };
        var embeddings = new Option<string?>("--embeddings") { Description = "Item vectors .npy for --baseline text-knn (from genrec text embed)" };
        var data = new Option<string?>("--data") { Description = "Dataset (required with --baseline; default: the checkpoint's)" };
        var split = new Option<SplitKind>("--split") { Description = "leave-one-out or last-item", DefaultValueFactory = _ => SplitKind.LeaveOneOut };
        var sampled = new Option<int>("--sampled") { Description = "Rank against this many sampled negatives instead of all items (e.g. 100)", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { Description = "Seed of the negative sampler", DefaultValueFactory = _ => 42 };
        var valid = new Option<bool>("--valid") { Description = "Evaluate the validation cases instead of the test cases" };
        var noFilter = new Option<bool>("--no-history-filter") { Description = "Keep history items in the ranking" };
        var window = new Option<int>("--history-window") { Description = "Leave out only the last N history items (the model's input window, as generative-recommenders evaluates; 0: the whole history)", DefaultValueFactory = _ => 0 };
        var prefix = new Option<int?>("--history-prefix") { Description = "Simulated cold start: keep only the first N items of each history (0: none; user features, when the model reads them, still count)" };
        var after = new Option<DateTimeOffset?>("--after") { Description = "Test on what came after a cut-off (ISO 8601): every interaction at or after it, in the checkpoint's log without its data.until, with everything the user did before it as the history (a model trained with data.until)" };
        var device = DeviceOption.Create();
        var command = new Command("eval", "Evaluate a model or baseline (full ranking by default)") { checkpoint, baseline, embeddings, data, split, sampled, seed, valid, noFilter, window, prefix, after, device };
        command.SetAction(r =>
        {
            if (r.GetValue(prefix) is < 0)
            {
                throw new ArgumentException($"--history-prefix: {r.GetValue(prefix)} is not a number of history items (0 or more)");
            }

            IScorer scorer;
            SequenceDataset dataset;
            var splitKind = r.GetValue(split);
            if (r.GetValue(checkpoint) is { } ckpt)
            {
                using var opened = Checkpoint.Open(ckpt, new() { Device = DeviceOption.Resolve(r.GetValue(device)), DataPath = r.GetValue(data), Log = Output.Info });
                var model = opened.TakeRetrieval("eval");
                dataset = opened.Dataset;
                splitKind = opened.Header.Data.Split;
                scorer = new ModelScorer(model, FeatureResolution.UsersFor(model.Config, dataset));
                if (r.GetValue(prefix) is { } first && ColdStartTest.HasNoInput(first, model.UserFeatureCount > 0))
                {
                    throw new ArgumentException($"--history-prefix {first}: {ColdStartTest.NoInputReason}; evaluate --baseline most-popular, or a model with user features");
                }
            }
            else if (r.GetValue(baseline) is { } name)
            {
                var path = r.GetValue(data) ?? throw new ArgumentException("--baseline needs --data");
                dataset = DatasetLoader.Load(new DatasetRequest(path), Output.Info);
                var vectors = r.GetValue(embeddings) is { } npy ? Text.ItemTextEmbeddings.Import(npy, dataset.NumItems) : ((float[], int)?)null;
                scorer = BaselineFactory.Create(name, SequenceSplit.Create(dataset, splitKind).Train, dataset.NumItems, vectors);
            }
            else
            {
                throw new ArgumentException("give --checkpoint or --baseline");
            }

            EvalCase[] cases;
            if (r.GetValue(after) is { } cutOff)
            {
                var header = Checkpoint.ReadHeader(r.GetValue(checkpoint) ?? throw new ArgumentException("--after: give --checkpoint (the model trained up to the cut-off)"));
                var whole = NextPeriod.WholeLog(header.Data with { Path = r.GetValue(data) ?? Checkpoint.DataLocationOf(r.GetValue(checkpoint)!) }, Output.Info);
                var period = NextPeriod.Create(dataset, whole, cutOff.ToUnixTimeSeconds());
                cases = period.Cases;
                Output.Info($"after {cutOff:u}: {period.Interactions:N0} interactions of {period.UsersInPeriod:N0} users; {period.TargetsOutside:N0} of items the model does not know (left out), {cases.Length:N0} cases");
            }
            else
            {
                var s = SequenceSplit.Create(dataset, splitKind);
                cases = r.GetValue(valid) ? s.Valid : s.Test;
            }

            if (r.GetValue(prefix) is { } items)
            {
                cases = EvalCases.HistoryPrefix(cases, items);
                Output.Info($"cold start: the first {items} history item(s) of each user");
            }

            var options = new EvalOptions { SampledNegatives = r.GetValue(sampled), Seed = r.GetValue(seed), FilterHistory = !r.GetValue(noFilter), HistoryWindow = r.GetValue(window) };
            var result = AnsiConsole.Progress().AutoClear(true).Start(ctx =>
            {
                var task = ctx.AddTask("evaluating", maxValue: cases.Length);
                return Evaluator.Evaluate(scorer, cases, options, new Progress<int>(n => task.Increment(n)));
            });
            Output.Metrics($"{(r.GetValue(valid) ? "validation" : "test")}: {cases.Length:N0} users, {result.Protocol}", result.Metrics, Output.HeadlineKeys);
            return 0;
        });
        return command;
    }
}
