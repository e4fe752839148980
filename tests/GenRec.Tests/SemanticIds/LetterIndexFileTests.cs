using GenRec.Data;
using GenRec.Data.Preparation;
using GenRec.Models.SemanticIds;

namespace GenRec.Tests.SemanticIds;

/// <summary>LETTER's index files: 0-based keys onto the dataset's items, code tokens by level, errors that name the item.</summary>
public class LetterIndexFileTests
{
    private static SequenceDataset Dataset()
    {
        var log = new InteractionLog("letter", hasRatings: false, hasTimestamps: false);
        foreach (var (user, item) in new[] { ("u1", "1"), ("u1", "2"), ("u2", "3"), ("u2", "1") })
        {
            log.Add(user, item);
        }

        return DatasetPreparer.Prepare("letter", log, new PrepareOptions(), null, "synthetic");
    }

    [Fact]
    public void MapsZeroBasedKeysToItemsAndReadsOneCodePerLevel()
    {
        using var dir = new TempDir();
        var data = Dataset();
        var path = dir.File("index.json", """{"2": ["<a_7>", "<b_0>", "<c_3>"], "0": ["<a_1>", "<b_2>", "<c_3>"], "1": ["<a_1>", "<b_2>", "<c_3>"]}""");
        var codes = LetterIndexFile.Read(path, data);
        Assert.Equal([1, 2, 3], codes[data.ItemIds["1"] - 1]);
        Assert.Equal([1, 2, 3], codes[data.ItemIds["2"] - 1]);
        Assert.Equal([7, 0, 3], codes[data.ItemIds["3"] - 1]);
        var table = SemanticIdTable.FromCodes(codes, 8);
        Assert.Equal(4, table.Length);                    // items 1 and 2 collide: a 4th code tells them apart
        Assert.NotEqual(table.Ids[data.ItemIds["1"]], table.Ids[data.ItemIds["2"]]);
    }

    [Theory]
    [InlineData("""{"0": ["<a_1>"], "1": ["<a_1>"]}""", "no ID")]
    [InlineData("""{"0": ["<a_1>"], "1": ["<b_1>"], "2": ["<a_2>"]}""", "level 1")]
    [InlineData("""{"0": ["<a_1>"], "1": ["<a_1>", "<b_1>"], "2": ["<a_2>"]}""", "item '1'")]
    [InlineData("""{"0": ["<a_1>"], "9": ["<a_1>"], "2": ["<a_2>"]}""", "key '9'")]
    [InlineData("""{"0": ["<a_1>"], """, "line")]
    public void BadIndexesAreRefusedNamingTheFileAndItem(string json, string expected)
    {
        using var dir = new TempDir();
        var path = dir.File("index.json", json);
        var error = Assert.Throws<InvalidDataException>(() => LetterIndexFile.Read(path, Dataset()));
        Assert.Contains("index.json", error.Message);
        Assert.Contains(expected, error.Message);
    }
}
