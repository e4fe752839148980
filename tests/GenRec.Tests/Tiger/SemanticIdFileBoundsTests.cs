using GenRec.Tests.Training;
using GenRec.Training.Tiger;

namespace GenRec.Tests.Tiger;

/// <summary>A semantic-ID table sizes TIGER's code embeddings: a code or a width beyond the limits is refused naming line and field.</summary>
public class SemanticIdFileBoundsTests
{
    private static string Table(TempDir dir, GenRec.Data.SequenceDataset data, Func<int, string> codes)
    {
        var lines = new List<string> { "item\tc1\tc2\tc3" };
        lines.AddRange(Enumerable.Range(1, data.NumItems).Select(i => $"{data.ItemKeys[i]}\t{codes(i)}"));
        return dir.File("ids.tsv", string.Join('\n', lines) + "\n");
    }

    [Fact]
    public void AWellFormedTableReadsAndAHugeCodeIsRefused()
    {
        using var dir = new TempDir();
        var data = TrainingTests.CycleDataset(users: 20, items: 12, seed: 4);
        var ids = SemanticIdFile.Read(Table(dir, data, i => $"{i % 4}\t{i % 3}\t{i}"), data);
        Assert.Equal([1 % 4, 1 % 3, 1], ids[1]);

        var error = Assert.Throws<InvalidDataException>(() => SemanticIdFile.Read(Table(dir, data, i => i == 5 ? "1\t2\t2000000000" : $"{i % 4}\t{i % 3}\t{i}"), data));
        Assert.Contains("ids.tsv:6: field 'c3': '2000000000' is not a code (0 to 65,536)", error.Message);
    }

    [Fact]
    public void ATableWiderThanTheLimitIsRefused()
    {
        using var dir = new TempDir();
        var data = TrainingTests.CycleDataset(users: 20, items: 12, seed: 4);
        var wide = string.Join('\t', Enumerable.Repeat("1", 100));
        var path = dir.File("wide.tsv", $"item\n{data.ItemKeys[1]}\t{wide}\n");
        Assert.Contains("expected an item id and 1 to 64 codes, found 101 fields", Assert.Throws<InvalidDataException>(() => SemanticIdFile.Read(path, data)).Message);
    }
}
