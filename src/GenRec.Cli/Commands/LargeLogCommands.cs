using System.CommandLine;
using System.Diagnostics;
using DuckDB.NET.Data;
using GenRec.Cli.Terminal;
using GenRec.Data.DuckDb;
using GenRec.Data.Preparation;

namespace GenRec.Cli.Commands;

/// <summary>
/// <c>genrec data prepare-large</c> (CSV or Parquet logs larger than memory, prepared by DuckDB) and
/// <c>genrec data synthesize</c> (synthetic MovieLens-style logs of any size for the preparation benchmark).
/// </summary>
internal static class LargeLogCommands
{
    public static Command PrepareLarge()
    {
        var input = new Argument<string>("file") { Description = "Interaction log: .csv with a header row, or .parquet" };
        var output = new Option<string>("--out") { Description = "The prepared dataset (.grd) to write", Required = true };
        var columns = new Option<string>("--columns") { Description = "Column names as user=..,item=..[,time=..][,rating=..] (time=none: no time column)", DefaultValueFactory = _ => "user=userId,item=movieId,time=timestamp,rating=rating" };
        var kcore = new Option<int>("--kcore") { Description = "Keep users and items with at least k events (0: none)" };
        var mode = new Option<KCoreMode>("--kcore-mode") { Description = "iterative or one-pass", DefaultValueFactory = _ => KCoreMode.Iterative };
        var memory = new Option<string>("--memory-limit") { Description = "Memory DuckDB may hold before spilling to disk (e.g. 4GB)", DefaultValueFactory = _ => "4GB" };
        var threads = new Option<int>("--threads") { Description = "DuckDB threads (0: one per core)" };
        var temp = new Option<string?>("--temp-dir") { Description = "Where DuckDB's working files go (default: beside --out)" };
        var command = new Command("prepare-large", "Prepare a CSV or Parquet log larger than memory with DuckDB (k-core, remap and sort pushed down; the .grd streamed)")
        {
            input, output, columns, kcore, mode, memory, threads, temp,
        };
        command.SetAction(r =>
        {
            var watch = Stopwatch.StartNew();
            var kept = DuckDbPreparer.Prepare(r.GetValue(input)!, r.GetValue(output)!, ParseColumns(r.GetValue(columns)!),
                new PrepareOptions { KCore = r.GetValue(kcore), KCoreMode = r.GetValue(mode) },
                new DuckDbOptions { MemoryLimit = r.GetValue(memory)!, Threads = r.GetValue(threads), TempDirectory = r.GetValue(temp) },
                Output.Info);
            Output.Info($"prepared {kept:N0} events into {r.GetValue(output)} in {watch.Elapsed.TotalSeconds:F1} s");
            return 0;
        });
        return command;
    }

    public static Command Synthesize()
    {
        var output = new Option<string>("--out") { Description = "File to write: .csv (MovieLens ratings.csv columns) or .parquet", Required = true };
        var rows = new Option<long>("--rows") { Description = "Events", DefaultValueFactory = _ => 20_000_000 };
        var users = new Option<long>("--users") { Description = "Users (uniform)", DefaultValueFactory = _ => 200_000 };
        var items = new Option<long>("--items") { Description = "Items (popularity skewed: item = items * u^2)", DefaultValueFactory = _ => 50_000 };
        var seed = new Option<double>("--seed") { Description = "DuckDB setseed value in [-1, 1]", DefaultValueFactory = _ => 0.42 };
        var command = new Command("synthesize", "Write a synthetic interaction log (userId,movieId,rating,timestamp) for preparation benchmarks") { output, rows, users, items, seed };
        command.SetAction(r =>
        {
            var path = Path.GetFullPath(r.GetValue(output)!);
            var format = path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) ? "FORMAT parquet" : "FORMAT csv, HEADER true";
            using var db = new DuckDBConnection("Data Source=:memory:");
            db.Open();
            using var command = db.CreateCommand();
            command.CommandTimeout = 0;
            command.CommandText = $"SELECT setseed({r.GetValue(seed).ToString(System.Globalization.CultureInfo.InvariantCulture)})";
            command.ExecuteNonQuery();
            command.CommandText = $"COPY (SELECT CAST(floor(random() * {r.GetValue(users)}) AS BIGINT) + 1 AS userId, CAST(floor(pow(random(), 2) * {r.GetValue(items)}) AS BIGINT) + 1 AS movieId, " +
                $"CAST(1 + floor(random() * 5) AS INTEGER) AS rating, 1000000000 + range AS timestamp FROM range({r.GetValue(rows)})) TO '{path.Replace("'", "''", StringComparison.Ordinal)}' ({format})";
            var watch = Stopwatch.StartNew();
            command.ExecuteNonQuery();
            Output.Info($"wrote {r.GetValue(rows):N0} rows to {path} ({new FileInfo(path).Length / 1e9:F2} GB) in {watch.Elapsed.TotalSeconds:F1} s");
            return 0;
        });
        return command;
    }

    internal static LogColumns ParseColumns(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2, StringSplitOptions.TrimEntries))
            .ToDictionary(p => p[0], p => p.Length == 2 && p[1].Length > 0 ? p[1] : throw new ArgumentException($"--columns: '{p[0]}' needs a column name (as {p[0]}=name)"));
        foreach (var key in parts.Keys.Where(k => k is not ("user" or "item" or "time" or "rating")))
        {
            throw new ArgumentException($"--columns: unknown role '{key}' (roles: user, item, time, rating)");
        }

        string? Optional(string role) => parts.TryGetValue(role, out var name) && name != "none" ? name : null;
        return new LogColumns(
            parts.GetValueOrDefault("user") ?? throw new ArgumentException("--columns: give user=<column>"),
            parts.GetValueOrDefault("item") ?? throw new ArgumentException("--columns: give item=<column>"),
            Optional("time"),
            Optional("rating"));
    }
}
