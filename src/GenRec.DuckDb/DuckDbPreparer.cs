using System.Data.Common;
using System.Diagnostics;
using DuckDB.NET.Data;
using GenRec.Data.Preparation;

namespace GenRec.Data.DuckDb;

/// <summary>
/// Prepares an interaction log that need not fit in memory (CSV with a header row, or Parquet) with DuckDB, which
/// spills to disk: keys are interned to integers, k-core filtering runs as SQL passes, ids are remapped (users from 0,
/// items from 1, in numeric order when every key is an integer, else ordinal), each user's events are sorted by time
/// with file order breaking ties, and the prepared dataset is streamed into a <c>.grd</c> file that
/// <see cref="Datasets.Load(string, PrepareOptions?, Action{string}?)"/> reads. The result equals the in-memory
/// preparation of the same rows (tested).
/// </summary>
public static class DuckDbPreparer
{
    /// <summary>Prepares <paramref name="input"/> into <paramref name="output"/> and returns the number of events kept.</summary>
    /// <param name="input">A <c>.csv</c> (header row; other extensions are read as CSV) or <c>.parquet</c> file.</param>
    /// <param name="output">The <c>.grd</c> file to write (atomically).</param>
    /// <param name="columns">The log's column names.</param>
    /// <param name="options">k-core filtering; none by default.</param>
    /// <param name="engine">DuckDB's memory limit, spill folder and threads.</param>
    /// <param name="log">Hears each step and its time.</param>
    /// <exception cref="DataFormatException">A missing column, an empty id or a value of the wrong type (the file, row and column are named).</exception>
    public static long Prepare(string input, string output, LogColumns columns, PrepareOptions? options = null, DuckDbOptions? engine = null, Action<string>? log = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(input);
        ArgumentException.ThrowIfNullOrWhiteSpace(output);
        ArgumentNullException.ThrowIfNull(columns);
        if (!File.Exists(input))
        {
            throw new FileNotFoundException($"{input}: no such file", input);
        }

        options ??= new();
        engine ??= new();
        log ??= _ => { };
        var work = Path.Combine(engine.TempDirectory ?? Path.GetDirectoryName(Path.GetFullPath(output))!, $".duckdb-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            using var db = new DuckDBConnection($"Data Source={Path.Combine(work, "prepare.duckdb")}");
            db.Open();
            var sql = new Sql(db, log);
            sql.Run($"SET memory_limit = '{engine.MemoryLimit.Replace("'", "", StringComparison.Ordinal)}'");
            sql.Run($"SET temp_directory = '{Escape(Path.Combine(work, "spill"))}'");
            sql.Run("SET preserve_insertion_order = true");
            if (engine.Threads > 0)
            {
                sql.Run($"SET threads = {engine.Threads}");
            }

            var parquet = input.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);
            var source = parquet ? $"read_parquet('{Escape(input)}')" : $"read_csv('{Escape(input)}', header = true)";
            CheckColumns(sql, source, input, columns);
            var hasTime = columns.Timestamp is not null;
            var hasRating = columns.Rating is not null;
            var time = hasTime ? $"CAST({Quote(columns.Timestamp!)} AS BIGINT)" : "CAST(0 AS BIGINT)";
            var rating = hasRating ? $"CAST({Quote(columns.Rating!)} AS FLOAT)" : "CAST(0 AS FLOAT)";
            Wrap(input, () => sql.Step("read", $"CREATE TABLE raw AS SELECT CAST({Quote(columns.User)} AS VARCHAR) AS u, CAST({Quote(columns.Item)} AS VARCHAR) AS i, {time} AS t, {rating} AS r FROM {source}"));
            var rowsRead = sql.Long("SELECT count(*) FROM raw");
            CheckIds(sql, input, parquet, columns);

            // Keys interned to integers (first appearance), so that filtering and sorting move integers, not strings.
            sql.Step("intern users", "CREATE TABLE ukeys AS SELECT u AS key, CAST(row_number() OVER (ORDER BY first) - 1 AS INTEGER) AS id FROM (SELECT u, min(rowid) AS first FROM raw GROUP BY u)");
            sql.Step("intern items", "CREATE TABLE ikeys AS SELECT i AS key, CAST(row_number() OVER (ORDER BY first) - 1 AS INTEGER) AS id FROM (SELECT i, min(rowid) AS first FROM raw GROUP BY i)");
            sql.Step("events", "CREATE TABLE ev AS SELECT raw.rowid AS rn, uk.id AS uid, ik.id AS iid, raw.t, raw.r FROM raw JOIN ukeys uk ON raw.u = uk.key JOIN ikeys ik ON raw.i = ik.key");
            sql.Run("DROP TABLE raw");
            var usersRead = (int)sql.Long("SELECT count(*) FROM ukeys");
            var itemsRead = (int)sql.Long("SELECT count(*) FROM ikeys");

            var passes = KCore(sql, options.KCore, options.KCoreMode);
            var kept = sql.Long("SELECT count(*) FROM ev");

            // Dense ids in the in-memory preparation's order: numeric when every kept key is an integer, else ordinal.
            var userKeys = DenseKeys(sql, "u", "ukeys", "uid", 0);
            var itemKeys = DenseKeys(sql, "i", "ikeys", "iid", 1);
            sql.Step("sort", $"CREATE TABLE seq AS SELECT du.dense AS u, di.dense AS i, ev.t, ev.r FROM ev JOIN udense du ON ev.uid = du.id JOIN idense di ON ev.iid = di.id ORDER BY du.dense, {(hasTime ? "ev.t, " : "")}ev.rn");
            sql.Run("DROP TABLE ev");
            var lengths = sql.Ints("SELECT CAST(count(*) AS INTEGER) FROM seq GROUP BY u ORDER BY u");

            var report = new PreparationReport(
                Source: input,
                Format: parquet ? "Parquet (DuckDB)" : "CSV (DuckDB)",
                RowsRead: rowsRead,
                UsersRead: usersRead,
                ItemsRead: itemsRead,
                KCore: options.KCore,
                KCoreMode: options.KCoreMode.ToString(),
                KCorePasses: passes,
                RowsRemovedByKCore: rowsRead - kept,
                UsersRemovedByKCore: usersRead - (userKeys.Length),
                ItemsRemovedByKCore: itemsRead - (itemKeys.Length - 1),
                ItemsWithMetadata: 0,
                MetadataEntriesWithoutInteractions: 0);
            var watch = Stopwatch.StartNew();
            var name = Path.GetFileNameWithoutExtension(input);
            DatasetCache.WriteStreamed(output, name, report, userKeys, itemKeys,
                w => Stream(sql, "SELECT u, i FROM seq", reader => WriteSequences(reader, w, lengths)),
                hasRating ? w => Stream(sql, "SELECT r FROM seq", reader => { while (reader.Read()) { w.Write(reader.GetFloat(0)); } }) : null,
                hasTime ? w => Stream(sql, "SELECT t FROM seq", reader => { while (reader.Read()) { w.Write(reader.GetInt64(0)); } }) : null);
            log($"write {output}: {watch.Elapsed.TotalSeconds:F1} s ({userKeys.Length:N0} users, {itemKeys.Length - 1:N0} items, {kept:N0} events)");
            return kept;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    // Per user in dense order: its length, then its items; the scan must come in the sorted order (checked).
    private static void WriteSequences(DbDataReader reader, BinaryWriter w, int[] lengths)
    {
        for (var u = 0; u < lengths.Length; u++)
        {
            w.Write(lengths[u]);
            for (var j = 0; j < lengths[u]; j++)
            {
                if (!reader.Read() || reader.GetInt32(0) != u)
                {
                    throw new InvalidOperationException($"DuckDB returned the sorted events out of order at user {u}; prepare again");
                }

                w.Write(reader.GetInt32(1));
            }
        }
    }

    /// <summary>Iterative k-core (until every kept user and item has k events) or one pass, as <c>KCoreFilter</c> does in memory.</summary>
    private static int KCore(Sql sql, int k, KCoreMode mode)
    {
        if (k <= 1)
        {
            return 0;
        }

        var passes = 0;
        while (true)
        {
            passes++;
            var before = sql.Long("SELECT count(*) FROM ev");
            sql.Step($"k-core pass {passes}", $"CREATE OR REPLACE TABLE ev AS SELECT * FROM ev WHERE uid IN (SELECT uid FROM ev GROUP BY uid HAVING count(*) >= {k}) AND iid IN (SELECT iid FROM ev GROUP BY iid HAVING count(*) >= {k}) ORDER BY rn");
            if (mode == KCoreMode.OnePass)
            {
                // Then drop the sequences that became shorter than k.
                sql.Step("k-core short users", $"CREATE OR REPLACE TABLE ev AS SELECT * FROM ev WHERE uid IN (SELECT uid FROM ev GROUP BY uid HAVING count(*) >= {k}) ORDER BY rn");
                return passes;
            }

            if (sql.Long("SELECT count(*) FROM ev") == before)
            {
                return passes;
            }
        }
    }

    /// <summary>The kept keys of one side in dense order (a padding key first for items), and table <c>{side}dense</c>(id, dense).</summary>
    private static string[] DenseKeys(Sql sql, string side, string keys, string column, int first)
    {
        sql.Run($"CREATE TABLE {side}kept AS SELECT k.key, k.id, TRY_CAST(k.key AS BIGINT) AS number FROM {keys} k WHERE k.id IN (SELECT DISTINCT {column} FROM ev)");
        var numeric = sql.Long($"SELECT count(*) FROM {side}kept WHERE number IS NULL OR NOT regexp_full_match(key, '[+-]?[0-9]+')") == 0;
        var order = numeric ? "number, id" : "key"; // DuckDB compares strings bytewise (UTF-8), .NET ordinally (UTF-16): the same order outside surrogate pairs
        sql.Step($"remap {(side == "u" ? "users" : "items")}", $"CREATE TABLE {side}dense AS SELECT id, key, CAST(row_number() OVER (ORDER BY {order}) - 1 + {first} AS INTEGER) AS dense FROM {side}kept");
        var result = new List<string>();
        if (first == 1)
        {
            result.Add(SequenceDataset.PaddingKey);
        }

        using var command = sql.Command($"SELECT key FROM {side}dense ORDER BY dense");
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            result.Add(reader.GetString(0));
        }

        return [.. result];
    }

    private static void CheckColumns(Sql sql, string source, string input, LogColumns columns)
    {
        var present = new List<string>();
        using (var command = sql.Command($"DESCRIBE SELECT * FROM {source}"))
        {
            using var reader = Wrap(input, command.ExecuteReader);
            while (reader.Read())
            {
                present.Add(reader.GetString(0));
            }
        }

        foreach (var (field, name) in new[] { ("user", columns.User), ("item", columns.Item), ("timestamp", columns.Timestamp), ("rating", columns.Rating) })
        {
            if (name is not null && !present.Contains(name, StringComparer.Ordinal))
            {
                throw new DataFormatException(input, 1, name, $"no {field} column '{name}' in the header (columns: {string.Join(", ", present)})");
            }
        }
    }

    private static void CheckIds(Sql sql, string input, bool parquet, LogColumns columns)
    {
        using var command = sql.Command("SELECT rowid, u IS NULL OR u = '' AS user_missing FROM raw WHERE u IS NULL OR u = '' OR i IS NULL OR i = '' ORDER BY rowid LIMIT 1");
        using var reader = command.ExecuteReader();
        if (reader.Read())
        {
            var row = reader.GetInt64(0);
            var field = reader.GetBoolean(1) ? columns.User : columns.Item;
            throw new DataFormatException(input, parquet ? row + 1 : row + 2, field, "empty id");
        }
    }

    // DuckDB's conversion errors name the line and column; they become DataFormatExceptions naming the file.
    private static T Wrap<T>(string input, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (DuckDBException e)
        {
            var line = System.Text.RegularExpressions.Regex.Match(e.Message, @"[Ll]ine:? (\d+)");
            var column = System.Text.RegularExpressions.Regex.Match(e.Message, "[Cc]olumn:? \"?([^\"\\s]+)");
            throw new DataFormatException(input, line.Success ? long.Parse(line.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0,
                column.Success ? column.Groups[1].Value : "?", e.Message.ReplaceLineEndings(" ").Trim());
        }
    }

    private static void Wrap(string input, Action action) => Wrap(input, () =>
    {
        action();
        return 0;
    });

    private static void Stream(Sql sql, string query, Action<DbDataReader> read)
    {
        using var command = sql.Command(query);
        using var reader = command.ExecuteReader();
        read(reader);
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Escape(string literal) => literal.Replace("'", "''", StringComparison.Ordinal);

    /// <summary>Runs statements on the connection, timing the named steps.</summary>
    private sealed class Sql(DuckDBConnection db, Action<string> log)
    {
        public DbCommand Command(string text)
        {
            var command = db.CreateCommand();
            command.CommandText = text;
            command.CommandTimeout = 0;
            return command;
        }

        public void Run(string text)
        {
            using var command = Command(text);
            command.ExecuteNonQuery();
        }

        public void Step(string name, string text)
        {
            var watch = Stopwatch.StartNew();
            Run(text);
            log($"{name}: {watch.Elapsed.TotalSeconds:F1} s");
        }

        public long Long(string text)
        {
            using var command = Command(text);
            return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }

        public int[] Ints(string text)
        {
            using var command = Command(text);
            using var reader = command.ExecuteReader();
            var values = new List<int>();
            while (reader.Read())
            {
                values.Add(reader.GetInt32(0));
            }

            return [.. values];
        }
    }
}
