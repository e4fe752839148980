using System.Text.Json;
using System.Text.Json.Nodes;

namespace GenRec.Configuration;

/// <summary>
/// Reads config files strictly (unknown keys are errors naming file, line and key), after merging command-line
/// overrides onto them (<see cref="ConfigOverrides"/>); a run config's <c>kind</c>, when the file gives one, must be the
/// kind of the record it is read as.
/// </summary>
internal static class JsonConfig
{
    /// <summary>Largest config file read (configs are a few KiB).</summary>
    public const int MaxBytes = 1 << 20;

    /// <summary>Reads <paramref name="path"/> (null: the record's defaults) with the overrides merged onto it.</summary>
    public static T Load<T>(string? path, IReadOnlyList<string>? sets = null)
    {
        var (json, root) = Read(path, sets);
        path ??= DefaultsName;
        if (typeof(IRunConfig).IsAssignableFrom(typeof(T)) && ((IRunConfig)Activator.CreateInstance(typeof(T))!).Kind is var expected && KindOf(root, path) is { } kind && kind != expected)
        {
            throw new InvalidDataException($"{path}: a {Name(kind)} config, read here as a {Name(expected)} config; genrec train --config picks the trainer by kind");
        }

        T config;
        try
        {
            config = JsonSerializer.Deserialize<T>(json, RunConfig.Json) ?? throw new InvalidDataException($"{path}: empty config");
        }
        catch (JsonException e)
        {
            var where = sets is { Count: > 0 } ? $" (with --set {string.Join(", ", sets)})" : $":{(e.LineNumber ?? 0) + 1}";
            var hint = typeof(IRunConfig).IsAssignableFrom(typeof(T)) && root["kind"] is null
                ? $"; a config without \"kind\" is read as a retrieval config (kinds: {string.Join(", ", Enum.GetValues<RunKind>().Select(Name))})"
                : "";
            throw new InvalidDataException($"{path}{where}: {e.Path}: {e.Message}{hint}", e);
        }

        return config;
    }

    /// <summary>The config's <c>kind</c> (<c>retrieval</c> when it gives none), after the overrides.</summary>
    public static RunKind KindOf(string? path, IReadOnlyList<string>? sets = null) => KindOf(Read(path, sets).Root, path ?? DefaultsName) ?? RunKind.Retrieval;

    private const string DefaultsName = "(the defaults)";

    public static string Name(RunKind kind) => JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString());

    private static RunKind? KindOf(JsonObject root, string path)
    {
        if (root["kind"] is not { } node)
        {
            return null;
        }

        var name = node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString();
        return Enum.GetValues<RunKind>().FirstOrDefault(k => Name(k) == name) is var kind && Name(kind) == name
            ? kind
            : throw new InvalidDataException($"{path}: kind: '{Util.QuotedText.Clip(name)}' is not a kind of run (available: {string.Join(", ", Enum.GetValues<RunKind>().Select(Name))})");
    }

    // The text to deserialise (the file's own when nothing is overridden, so errors keep its line numbers) and its tree.
    private static (string Json, JsonObject Root) Read(string? path, IReadOnlyList<string>? sets)
    {
        if (path is not null && !File.Exists(path))
        {
            throw new FileNotFoundException($"config not found: {path}", path);
        }

        if (path is not null)
        {
            Util.UnixFile.RequireRegular(path, "config", MaxBytes);
        }

        var text = path is null ? "{}" : File.ReadAllText(path);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                ?? throw new InvalidDataException($"{path}: a config is a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}:{(e.LineNumber ?? 0) + 1}: {e.Message}", e);
        }

        if (sets is not { Count: > 0 })
        {
            return (text, root);
        }

        foreach (var set in sets)
        {
            ConfigOverrides.Apply(root, set);
        }

        return (root.ToJsonString(), root);
    }
}
