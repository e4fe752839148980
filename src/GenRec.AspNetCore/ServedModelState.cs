using System.Text.Json;
using GenRec.Util;

namespace GenRec.AspNetCore;

/// <summary>
/// The state file: which checkpoints a service serves after its reloads, so that a restart with the same
/// command serves them again. <see cref="StartedWith"/> is the <c>--checkpoint</c> the service was started
/// with: a restart with another one means the operator chose a new model, and the file is ignored.
/// Written atomically (temporary file and rename).
/// </summary>
internal sealed record ServedModelState(string StartedWith, string Checkpoint, string? Ranker, int Generation, DateTimeOffset LoadedAt)
{
    /// <summary>Largest state file read (a few hundred bytes are written).</summary>
    public const int MaxBytes = 64 << 10;

    public void Write(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, RecommendationService.Json));

    /// <summary>The remembered state when the file exists, is readable and belongs to a service started with <paramref name="startedWith"/>.</summary>
    public static ServedModelState? Read(string path, string startedWith)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            UnixFile.RequireRegular(path, "state file", MaxBytes);
            var state = JsonSerializer.Deserialize<ServedModelState>(File.ReadAllText(path), RecommendationService.Json);
            return state is not null && state.StartedWith == Path.GetFullPath(startedWith) ? state : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
