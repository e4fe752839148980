using GenRec.Training;
using Spectre.Console;

namespace GenRec.Cli.Terminal;

/// <summary>Shows training as a Spectre.Console progress bar per epoch, and validation lines.</summary>
internal sealed class ProgressObserver : ITrainingObserver
{
    private readonly ProgressContext context;
    private ProgressTask? task;
    private double runningLoss = double.NaN;

    public ProgressObserver(ProgressContext context) => this.context = context;

    public void EpochStarted(int epoch, int steps)
    {
        task?.StopTask();
        task = context.AddTask($"epoch {epoch}", maxValue: steps);
    }

    public void StepFinished(int epoch, int step, double loss)
    {
        if (!double.IsNaN(loss))
        {
            runningLoss = double.IsNaN(runningLoss) ? loss : (0.95 * runningLoss) + (0.05 * loss);
        }

        if (task is not null)
        {
            task.Increment(1);
            task.Description = double.IsNaN(runningLoss) ? $"epoch {epoch}" : $"epoch {epoch} loss {runningLoss:F4}";
        }
    }

    public void Validated(int epoch, IReadOnlyDictionary<string, double> metrics, bool improved)
    {
        string[] keys = metrics.ContainsKey("hr@10") ? ["hr@10", "ndcg@10"]
            : metrics.ContainsKey("recall@10") ? ["recall@10", "ndcg@10"]                  // TIGER
            : [.. metrics.Keys.Where(k => k.EndsWith("auc", StringComparison.Ordinal))];
        var shown = string.Join("  ", keys.Select(k => $"{k} {metrics[k]:F4}"));
        AnsiConsole.MarkupLine($"epoch {epoch,3}  loss {runningLoss:F4}  valid {shown}{(improved ? "  [green]best[/]" : "")}");
    }

    public void Message(string text) => Output.Info(text);

    /// <summary>Runs <paramref name="work"/> under a live progress display.</summary>
    public static T Run<T>(Func<ITrainingObserver, T> work) =>
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx => work(new ProgressObserver(ctx)));
}
