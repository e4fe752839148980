using System.Text;
using GenRec.Data.Features;

namespace GenRec.Data.Loaders;

/// <summary>
/// User feature tables: MovieLens <c>users.dat</c> (<c>UserID::Gender::Age::Occupation::Zip-code</c>; features
/// <c>gender</c>, <c>age</c>, <c>occupation</c>, <c>zip</c>) or a CSV with a header row whose first column is the user id
/// and whose other columns are categorical features named by the header, or JSON lines (an object per user: an id field,
/// <c>user_id</c>, <c>user</c> or <c>id</c>, and its other fields, strings or numbers, as features; a field missing
/// from a line is unknown for that user). Malformed lines name file, line and field.
/// </summary>
internal static class UserFeatureLoader
{
    public static readonly string[] MovieLensNames = ["gender", "age", "occupation", "zip"];

    public static UserFeatureTable Load(string path, IReadOnlyList<string> userKeys)
    {
        var (names, raw) = Read(path);
        return UserFeatureTable.Build(names, raw, userKeys);
    }

    public static (string[] Names, Dictionary<string, string[]> Values) Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"user feature file not found: {path}", path);
        }

        return path.EndsWith(".dat", StringComparison.OrdinalIgnoreCase) ? ReadMovieLens(path)
            : path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? ReadJsonLines(path)
            : ReadCsv(path);
    }

    private static readonly string[] IdFields = ["user_id", "user", "id"];

    private static (string[], Dictionary<string, string[]>) ReadJsonLines(string path)
    {
        var name = Path.GetFileName(path);
        var rows = new List<(long Line, string User, Dictionary<string, string> Values)>();
        foreach (var (line, text) in TextLines.Read(path))
        {
            if (text.Trim().Length == 0)
            {
                continue;
            }

            System.Text.Json.JsonElement root;
            try
            {
                using var document = System.Text.Json.JsonDocument.Parse(text);
                root = document.RootElement.Clone();
            }
            catch (System.Text.Json.JsonException e)
            {
                throw new DataFormatException(name, line, "record", $"not a JSON object: {e.Message}");
            }

            if (root.ValueKind != System.Text.Json.JsonValueKind.Object)
            {
                throw new DataFormatException(name, line, "record", "not a JSON object");
            }

            var idField = IdFields.FirstOrDefault(f => root.TryGetProperty(f, out _))
                ?? throw new DataFormatException(name, line, "user_id", $"no user id field ({string.Join(", ", IdFields)})");
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject().Where(p => p.Name != idField))
            {
                values[property.Name] = property.Value.ValueKind switch
                {
                    System.Text.Json.JsonValueKind.String => property.Value.GetString()!.Trim(),
                    System.Text.Json.JsonValueKind.Number or System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => property.Value.GetRawText(),
                    System.Text.Json.JsonValueKind.Null => "",
                    _ => throw new DataFormatException(name, line, property.Name, "a feature must be a string, number or boolean"),
                };
            }

            var id = root.GetProperty(idField);
            rows.Add((line, FieldParser.ParseId(name, line, idField, id.ValueKind == System.Text.Json.JsonValueKind.String ? id.GetString()! : id.GetRawText()), values));
        }

        var names = rows.SelectMany(r => r.Values.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var users = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (line, user, values) in rows)
        {
            Add(users, name, line, "user_id", user, [.. names.Select(n => values.GetValueOrDefault(n, ""))]);
        }

        return (names, users);
    }

    private static (string[], Dictionary<string, string[]>) ReadMovieLens(string path)
    {
        var name = Path.GetFileName(path);
        var users = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (line, text) in TextLines.Read(path, Encoding.Latin1))
        {
            if (text.Length == 0)
            {
                continue;
            }

            var parts = text.Split("::");
            if (parts.Length != 5)
            {
                throw new DataFormatException(name, line, "record", $"expected 5 '::'-separated fields (user::gender::age::occupation::zip), found {parts.Length}");
            }

            Add(users, name, line, "user_id", parts[0], [.. parts.Skip(1).Select(p => p.Trim())]);
        }

        return (MovieLensNames, users);
    }

    private static (string[], Dictionary<string, string[]>) ReadCsv(string path)
    {
        var name = Path.GetFileName(path);
        var header = File.ReadLines(path).FirstOrDefault()?.Split(',').Select(h => h.Trim()).ToArray()
            ?? throw new DataFormatException(name, 1, "header", "empty file: expected a header row (user id, then feature names)");
        if (header.Length < 2 || header.Any(h => h.Length == 0) || header.Distinct(StringComparer.Ordinal).Count() != header.Length)
        {
            throw new DataFormatException(name, 1, "header", "expected the user id column, then one or more distinct feature names");
        }

        var users = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (line, fields) in CsvRows.Read(path, header, header.Length))
        {
            Add(users, name, line, header[0], fields[0], [.. fields.Skip(1).Select(f => f.Trim())]);
        }

        return (header[1..], users);
    }

    private static void Add(Dictionary<string, string[]> users, string file, long line, string field, string id, string[] values)
    {
        var user = FieldParser.ParseId(file, line, field, id);
        if (!users.TryAdd(user, values))
        {
            throw new DataFormatException(file, line, field, $"user {user} appears twice");
        }
    }
}
