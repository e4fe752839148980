namespace GenRec.Data.DuckDb;

/// <summary>How DuckDB may use this machine while preparing a log.</summary>
public sealed record DuckDbOptions
{
    /// <summary>Memory DuckDB may hold before it spills to <see cref="TempDirectory"/> (DuckDB syntax: <c>4GB</c>, <c>512MB</c>).</summary>
    public string MemoryLimit { get; init; } = "4GB";

    /// <summary>Where DuckDB's working database and spill files go (default: beside the output file); removed afterwards.</summary>
    public string? TempDirectory { get; init; }

    /// <summary>Threads DuckDB uses (0: one per core).</summary>
    public int Threads { get; init; }
}
