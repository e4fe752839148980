using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;

namespace GenRec.Data.Loaders;

/// <summary>
/// RFC 4180 records (quoted fields may hold commas) read with CsvHelper's parser, each with the
/// line it starts on. An optional header is checked against the expected column names.
/// </summary>
internal static class CsvRows
{
    public static IEnumerable<(long Line, string[] Fields)> Read(string path, string[]? expectedHeader, int expectedFields, Encoding? encoding = null)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"input file not found: {path}", path);
        }

        var name = Path.GetFileName(path);
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            HasHeaderRecord = false,
            BadDataFound = args => throw new DataFormatException(name, args.Context.Parser?.RawRow ?? 0, "record", $"malformed quoting near '{FieldParser.Shorten(args.RawRecord.Trim())}'"),
            IgnoreBlankLines = true,
            DetectColumnCountChanges = false,
        };
        using var reader = new StreamReader(path, encoding ?? new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
        using var parser = new CsvParser(reader, config);
        var first = true;
        while (parser.Read())
        {
            var record = parser.Record ?? [];
            long line = parser.RawRow - parser.RawRecord.TrimEnd('\r', '\n').Count(c => c == '\n');
            if (first && expectedHeader is not null)
            {
                first = false;
                CheckHeader(name, record, expectedHeader);
                continue;
            }

            first = false;
            if (record.Length != expectedFields)
            {
                throw new DataFormatException(name, line, "record", $"expected {expectedFields} comma-separated fields, found {record.Length}");
            }

            yield return (line, record);
        }
    }

    private static void CheckHeader(string name, string[] record, string[] expected)
    {
        for (var i = 0; i < expected.Length; i++)
        {
            var actual = i < record.Length ? record[i].Trim() : "(missing)";
            if (!string.Equals(actual, expected[i], StringComparison.OrdinalIgnoreCase))
            {
                throw new DataFormatException(name, 1, $"header column {i + 1}", $"expected '{expected[i]}', found '{actual}' (header must be {string.Join(',', expected)})");
            }
        }

        if (record.Length != expected.Length)
        {
            throw new DataFormatException(name, 1, "header", $"expected {expected.Length} columns ({string.Join(',', expected)}), found {record.Length}");
        }
    }
}
