using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GenRec.Configuration;
using GenRec.Util;

namespace GenRec.Cli.Bench;

/// <summary>
/// <c>genrec bench large-logs</c>: preparing large synthetic interaction logs, the in-memory loader (CSV) against DuckDB
/// (CSV and Parquet), wall time and peak resident memory of each (each preparation its own process, measured by
/// <c>/usr/bin/time</c>), into <c>bench/results/data/prepare-large-logs.json</c>. The logs are generated
/// (<c>genrec data synthesize</c>: users = rows / 100, items = rows / 400) under <c>&lt;runs&gt;/big-logs</c>, never
/// committed; each measurement is kept there and the JSON lists every one made so far.
/// </summary>
internal static class BenchLargeLogsCommand
{
    public static Command Create()
    {
        var rows = new Option<string>("--rows") { Description = "Log sizes in rows, comma-separated", DefaultValueFactory = _ => "20000000,200000000" };
        var inMemoryMax = new Option<long>("--in-memory-max") { Description = "Largest log the in-memory loader is measured on (it needs ~80 bytes a row)", DefaultValueFactory = _ => 20_000_000 };
        var memory = new Option<string>("--memory-limit") { Description = "DuckDB's memory limit", DefaultValueFactory = _ => "4GB" };
        var runs = BenchCommand.RunsOption();
        var results = BenchCommand.OutputOption("data");
        var command = new Command("large-logs", "Wall time and peak memory of preparing large synthetic logs: in-memory loader vs DuckDB (CSV, Parquet)")
        {
            rows, inMemoryMax, memory, runs, results,
        };
        command.SetAction(r =>
        {
            var work = Path.Combine(r.GetValue(runs)!, "big-logs");
            Directory.CreateDirectory(work);
            var limit = r.GetValue(memory)!;
            var sizes = r.GetValue(rows)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(s => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"--rows: '{Util.QuotedText.Clip(s)}' is not a positive row count"))
                .ToArray();
            foreach (var size in sizes)
            {
                var folder = Path.Combine(work, $"rows-{size}");
                Directory.CreateDirectory(folder);
                foreach (var ext in new[] { "csv", "parquet" })
                {
                    var log = Path.Combine(folder, $"ratings.{ext}");
                    if (!File.Exists(log))
                    {
                        GenRecChild.RunChecked("data synthesize", ["data", "synthesize", "--rows", Invariant(size), "--users", Invariant(size / 100), "--items", Invariant(size / 400), "--out", log]);
                    }
                }

                if (size <= r.GetValue(inMemoryMax))
                {
                    Measure(work, "in-memory", size, "csv", ["data", "prepare", folder, "--kcore", "5", "--out", Path.Combine(work, $"in-memory-{size}.grd")]);
                }

                foreach (var ext in new[] { "csv", "parquet" })
                {
                    Measure(work, "duckdb", size, ext, ["data", "prepare-large", Path.Combine(folder, $"ratings.{ext}"), "--kcore", "5", "--memory-limit", limit, "--out", Path.Combine(work, $"duckdb-{size}-{ext}.grd")]);
                }

                foreach (var prepared in Directory.GetFiles(work, "*.grd"))
                {
                    File.Delete(prepared);
                }
            }

            var report = new JsonObject
            {
                ["benchmark"] = "prepare-large-logs",
                ["config"] = new JsonObject { ["kcore"] = 5, ["duckdb_memory_limit"] = limit, ["users"] = "rows / 100", ["items"] = "rows / 400", ["generator"] = "genrec data synthesize, setseed 0.42" },
                ["seed"] = 0.42,
                ["git_revision"] = GitRevision.Current(),
                ["device"] = BenchReport.MachineDescription(),
                // Every measurement made so far (a later run for other sizes keeps the earlier ones).
                ["runs"] = new JsonArray([.. Directory.GetFiles(work, "entry-*.json").Order(StringComparer.Ordinal).Select(f => JsonNode.Parse(File.ReadAllText(f)))]),
            };
            var path = Path.Combine(r.GetValue(results)!, "prepare-large-logs.json");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            AtomicFile.WriteAllText(path, report.ToJsonString(RunConfig.Json) + "\n");
            Console.WriteLine($"large-logs: {sizes.Length} size(s) -> {path}");
            return 0;
        });
        return command;
    }

    /// <summary>Prepares one log in its own process under <c>/usr/bin/time</c>; its entry is written beside the logs.</summary>
    private static void Measure(string work, string path, long rows, string format, string[] arguments)
    {
        const string time = "/usr/bin/time";
        if (!File.Exists(time))
        {
            throw new InvalidOperationException($"{time} is needed to measure peak memory (Debian: apt-get install time)");
        }

        var stats = Path.Combine(work, "time.txt");
        var (self, prefix) = GenRecChild.Self();
        var log = new List<string>();
        var status = GenRecChild.Run(["-f", "%e %M", "-o", stats, self, .. prefix, .. arguments], onLine: log.Add, fileName: time);
        File.WriteAllLines(Path.Combine(work, $"{path}-{rows}-{format}.log"), log);
        var fields = File.ReadLines(stats).Last().Split(' ');
        var wall = double.Parse(fields[0], CultureInfo.InvariantCulture);
        var peakMb = long.Parse(fields[1], CultureInfo.InvariantCulture) / 1024;
        Console.WriteLine($"{path} {rows} {format}: {wall} s, {peakMb} MB peak, exit {status}");
        var entry = new JsonObject
        {
            ["path"] = path, ["rows"] = rows, ["format"] = format, ["wall_s"] = wall, ["peak_rss_mb"] = peakMb, ["exit"] = status, ["git_revision"] = GitRevision.Current(),
        };
        AtomicFile.WriteAllText(Path.Combine(work, $"entry-{path}-{rows}-{format}.json"), entry.ToJsonString() + "\n");
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
