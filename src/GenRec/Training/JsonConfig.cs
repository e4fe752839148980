using System.Text.Json;

namespace GenRec.Training;

/// <summary>Reads a JSON config (snake_case, comments allowed, unknown keys refused) with errors that name the file, line and field.</summary>
internal static class JsonConfig
{
    public static T Load<T>(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"config not found: {path}", path);
        }

        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), RunConfig.Json) ?? throw new InvalidDataException($"{path}: empty config");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}:{(e.LineNumber ?? 0) + 1}: {e.Path}: {e.Message}", e);
        }
    }
}
