using GenRec.Util;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GenRec.AspNetCore;

/// <summary>Turns System.Text.Json's exceptions into messages naming the request field: unknown fields, wrong types, malformed text.</summary>
internal static partial class JsonProblem
{
    public static string Describe(JsonException e, Type request)
    {
        var accepted = string.Join(", ", request.GetProperties().Select(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name)));
        if (UnmappedProperty().Match(e.Message) is { Success: true } unknown)
        {
            return $"field '{QuotedText.Clip(unknown.Groups[1].Value)}': unknown field (accepted: {accepted}; names are snake_case)";
        }

        var field = e.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : null;
        if (field is not null && e.Message.Contains("could not be converted", StringComparison.Ordinal))
        {
            return $"field '{QuotedText.Clip(field)}': wrong type (numbers are JSON numbers, ids are strings, lists are arrays)";
        }

        return $"malformed JSON{(field is null ? "" : $" at '{QuotedText.Clip(field)}'")}: {QuotedText.Clip(e.Message.Split(" Path:")[0])}";
    }

    [GeneratedRegex("The JSON property '(.*?)' could not be mapped")]
    private static partial Regex UnmappedProperty();
}
