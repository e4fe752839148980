using System.Text;

namespace GenRec.Data.Loaders;

/// <summary>Reads a text file line by line with 1-based line numbers (LF or CRLF).</summary>
internal static class TextLines
{
    public static IEnumerable<(long Number, string Text)> Read(string path, Encoding? encoding = null)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"input file not found: {path}", path);
        }

        using var reader = new StreamReader(path, encoding ?? new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
        long number = 0;
        while (reader.ReadLine() is { } text)
        {
            number++;
            yield return (number, text);
        }
    }
}
