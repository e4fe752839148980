using System.Text;
using GenRec.Data.Features;

namespace GenRec.Data.Loaders;

/// <summary>
/// User feature tables: MovieLens <c>users.dat</c> (<c>UserID::Gender::Age::Occupation::Zip-code</c>; features
/// <c>gender</c>, <c>age</c>, <c>occupation</c>, <c>zip</c>) or a CSV with a header row whose first column is the user id
/// and whose other columns are categorical features named by the header. Malformed lines name file, line and field.
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

        return path.EndsWith(".dat", StringComparison.OrdinalIgnoreCase) ? ReadMovieLens(path) : ReadCsv(path);
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
