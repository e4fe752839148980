using Spectre.Console;

namespace GenRec.Cli.Terminal;

/// <summary>Console output helpers: info lines, metric tables.</summary>
internal static class Output
{
    public static readonly string[] HeadlineKeys = ["hr@1", "hr@5", "hr@10", "hr@50", "hr@200", "ndcg@5", "ndcg@10", "ndcg@50", "ndcg@200", "mrr"];

    public static void Info(string text) => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(text)}[/]");

    public static void Metrics(string title, IReadOnlyDictionary<string, double> metrics, params string[] keys)
    {
        var table = new Table().Title(Markup.Escape(title)).AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        foreach (var key in keys.Length > 0 ? keys : metrics.Keys.ToArray())
        {
            if (metrics.TryGetValue(key, out var v))
            {
                table.AddRow(key, v.ToString("F4", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        AnsiConsole.Write(table);
    }
}
