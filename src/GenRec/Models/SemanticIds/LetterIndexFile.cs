using System.Text.Json;
using System.Text.RegularExpressions;
using GenRec.Data;

namespace GenRec.Models.SemanticIds;

/// <summary>
/// Semantic IDs learned elsewhere, in LETTER's <c>*.index.json</c> format:
/// <c>{"0": ["&lt;a_183&gt;", "&lt;b_70&gt;", "&lt;c_232&gt;", "&lt;d_6&gt;"], ...}</c>, keyed by the 0-based item id
/// (the dataset's item id minus one, as LETTER numbers S3-Rec's items), one token <c>&lt;letter_code&gt;</c> per level.
/// Read into codes per dense item, so that TIGER can train on them beside our own RQ-VAE IDs.
/// </summary>
internal static partial class LetterIndexFile
{
    /// <summary>codes[i - 1] = the codes of dense item i (i = 1..N), every item of the dataset present, all of one length.</summary>
    public static int[][] Read(string path, SequenceDataset dataset)
    {
        Dictionary<string, string[]>? index;
        try
        {
            using var stream = File.OpenRead(path);
            index = JsonSerializer.Deserialize<Dictionary<string, string[]>>(stream);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a LETTER index (a JSON object of item id -> [\"<a_1>\", ...]): line {e.LineNumber + 1}: {e.Message}", e);
        }

        var codes = new int[dataset.NumItems][];
        var width = -1;
        foreach (var (key, tokens) in index ?? [])
        {
            if (!long.TryParse(key, out var zeroBased) || !dataset.ItemIds.TryGetValue((zeroBased + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), out var item))
            {
                throw new InvalidDataException($"{path}: key '{key}': not a 0-based item id of {dataset.Name} (its items are numbered from 1)");
            }

            if (tokens is null || tokens.Length == 0 || (width >= 0 && tokens.Length != width))
            {
                throw new InvalidDataException($"{path}: item '{key}': expected {(width < 0 ? "at least one" : width.ToString(System.Globalization.CultureInfo.InvariantCulture))} code tokens, found {tokens?.Length ?? 0}");
            }

            width = tokens.Length;
            codes[item - 1] = [.. tokens.Select((t, level) => Code(path, key, level, t))];
        }

        var missing = Enumerable.Range(1, dataset.NumItems).Where(i => codes[i - 1] is null).ToArray();
        return missing.Length == 0 ? codes
            : throw new InvalidDataException($"{path}: {missing.Length} items of {dataset.Name} have no ID (e.g. {string.Join(", ", missing.Take(5).Select(i => dataset.ItemKeys[i]))})");
    }

    private static int Code(string path, string key, int level, string token)
    {
        var match = TokenPattern().Match(token);
        return match.Success && match.Groups[1].Value[0] - 'a' == level
            ? int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)
            : throw new InvalidDataException($"{path}: item '{key}', level {level + 1}: '{token}' is not a code token <{(char)('a' + level)}_N>");
    }

    [GeneratedRegex(@"^<([a-z])_(\d{1,6})>$")]
    private static partial Regex TokenPattern();
}
