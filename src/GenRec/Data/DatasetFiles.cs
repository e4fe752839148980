namespace GenRec.Data;

/// <summary>Where a dataset's interactions and (optional) item metadata are, and in which format.</summary>
internal sealed record DatasetFiles(DataFormat Format, string Interactions, string? Metadata)
{
    /// <summary>A name for reports and file names: the folder name, or the file name without extension.</summary>
    public string Name
    {
        get
        {
            var dir = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(Interactions)));
            return string.IsNullOrEmpty(dir) ? Path.GetFileNameWithoutExtension(Interactions) : dir;
        }
    }
}
