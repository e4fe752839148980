namespace GenRec.Data;

/// <summary>
/// A malformed input record. The message always names the file, the 1-based line and the field, so
/// that a user can open the file at the right place: <c>ratings.dat:17: field 'timestamp': ...</c>.
/// </summary>
internal sealed class DataFormatException : Exception
{
    public DataFormatException(string file, long line, string field, string problem)
        : base($"{file}:{line}: field '{field}': {problem}")
    {
        File = file;
        Line = line;
        Field = field;
    }

    public string File { get; }

    public long Line { get; }

    public string Field { get; }
}
