namespace GenRec.Serving;

/// <summary>
/// A checkpoint file as it was read: its full path, length and last write time. Two engines with equal stamps were
/// loaded from the same unchanged file, so they hold the same weights (a catalogue beside it may differ).
/// </summary>
internal sealed record CheckpointStamp(string Path, long Length, DateTime LastWriteUtc)
{
    public static CheckpointStamp Of(string checkpoint)
    {
        var file = new FileInfo(checkpoint);
        return new CheckpointStamp(file.FullName, file.Exists ? file.Length : -1, file.Exists ? file.LastWriteTimeUtc : DateTime.MinValue);
    }
}
