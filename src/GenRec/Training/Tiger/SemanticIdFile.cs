using GenRec.Data;
using GenRec.Models.SemanticIds;

namespace GenRec.Training.Tiger;

/// <summary>Reads the TSV written by <c>genrec semantic-ids</c> (item id, then one column per code) into ids by dense item, or makes random IDs.</summary>
internal static class SemanticIdFile
{
    /// <summary>Most levels (codes) per semantic ID accepted.</summary>
    public const int MaxLevels = 64;

    /// <summary>Largest codebook accepted (published setups use 256).</summary>
    public const int MaxCodebook = 1 << 16;

    /// <summary>The copy of its table a TIGER run keeps in its folder (what <c>genrec serve</c> reads).</summary>
    public const string RunFolderName = "semantic-ids.tsv";

    /// <summary>Writes the table (atomically) as <see cref="Read"/> reads it: a header, then each item's id and codes.</summary>
    public static void Write(string path, IReadOnlyList<int[]> ids, SequenceDataset dataset) =>
        Util.AtomicFile.WriteAllText(path, "item\t" + string.Join("\t", Enumerable.Range(1, ids[1].Length).Select(l => $"c{l}")) + "\n"
            + string.Concat(Enumerable.Range(1, dataset.NumItems).Select(i => $"{dataset.ItemKeys[i]}\t{string.Join("\t", ids[i])}\n")));

    private static string QuotedCode(string text) => text.Length > 24 ? text[..24] + "..." : text;

    public static int[][] Read(string path, SequenceDataset dataset)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"semantic ID table not found: {path} (make one with genrec semantic-ids)", path);
        }

        var lookup = dataset.ItemIds;
        var maxCode = Math.Max(MaxCodebook, dataset.NumItems);                           // codebooks, or a collision code up to the item count
        var ids = new int[dataset.NumItems + 1][];
        ids[0] = [];
        var width = -1;
        var line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (line == 1)
            {
                continue; // header
            }

            var fields = text.Split('\t');
            if (width < 0)
            {
                width = fields.Length - 1;
            }

            if (fields.Length - 1 != width || width < 1 || width > MaxLevels)
            {
                throw new InvalidDataException($"{path}:{line}: expected an item id and {(width is < 1 or > MaxLevels ? $"1 to {MaxLevels}" : width)} codes, found {fields.Length} fields");
            }

            if (!lookup.TryGetValue(fields[0], out var item))
            {
                throw new InvalidDataException($"{path}:{line}: field 'item': '{fields[0]}' is not an item of {dataset.Name}");
            }

            ids[item] = new int[width];
            for (var c = 0; c < width; c++)
            {
                if (!int.TryParse(fields[c + 1], out ids[item][c]) || ids[item][c] < 0 || ids[item][c] > maxCode)
                {
                    // A code sizes its level's embedding table (largest code + 1 rows): bounded before the model is built.
                    throw new InvalidDataException($"{path}:{line}: field 'c{c + 1}': '{QuotedCode(fields[c + 1])}' is not a code (0 to {maxCode:N0})");
                }
            }
        }

        var missing = Enumerable.Range(1, dataset.NumItems).Where(i => ids[i] is null).ToArray();
        return missing.Length == 0 ? ids
            : throw new InvalidDataException($"{path}: {missing.Length} items of {dataset.Name} have no semantic ID (e.g. {string.Join(", ", missing.Take(5).Select(i => dataset.ItemKeys[i]))})");
    }

    /// <summary>TIGER's ablation: uniformly random codes per level, made unique with the collision code.</summary>
    public static int[][] Random(int numItems, int levels, int codebookSize, int seed)
    {
        var rng = new Random(seed);
        var codes = Enumerable.Range(0, numItems).Select(_ => Enumerable.Range(0, levels).Select(_ => rng.Next(codebookSize)).ToArray()).ToArray();
        return SemanticIdTable.FromCodes(codes, codebookSize).Ids;
    }
}
