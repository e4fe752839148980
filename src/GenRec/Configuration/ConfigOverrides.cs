using System.Text.Json;
using System.Text.Json.Nodes;

namespace GenRec.Configuration;

/// <summary>
/// <c>--set key.path=value</c>: a JSON merge onto a config before the strict parser reads it, so an override is
/// checked exactly as the file is (an unknown key is an error naming it). Keys are the file's snake_case names, dotted
/// into nested objects (missing objects are created); the value is JSON when it parses as JSON (<c>5</c>, <c>true</c>,
/// <c>null</c>, <c>[1,2]</c>, <c>{"a":1}</c>), else a string (<c>model.encoder=hstu</c>).
/// </summary>
internal static class ConfigOverrides
{
    public static void Apply(JsonObject root, string assignment)
    {
        var at = assignment.IndexOf('=');
        if (at <= 0)
        {
            throw new ArgumentException($"--set {Util.QuotedText.Clip(assignment)}: expected key.path=value (e.g. train.epochs=5)");
        }

        var keys = assignment[..at].Split('.');
        if (keys.Any(k => k.Length == 0))
        {
            throw new ArgumentException($"--set {Util.QuotedText.Clip(assignment)}: an empty key in '{assignment[..at]}'");
        }

        var node = root;
        for (var i = 0; i < keys.Length - 1; i++)
        {
            node = node[keys[i]] switch
            {
                null => (JsonObject)(node[keys[i]] = new JsonObject()),
                JsonObject inner => inner,
                var other => throw new ArgumentException($"--set {Util.QuotedText.Clip(assignment)}: '{string.Join('.', keys[..(i + 1)])}' is a {other.GetValueKind().ToString().ToLowerInvariant()}, not an object"),
            };
        }

        node[keys[^1]] = Value(assignment[(at + 1)..]);
    }

    private static JsonNode? Value(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }
}
