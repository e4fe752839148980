using DuckDB.NET.Data;
using GenRec.Data;
using GenRec.Data.DuckDb;
using GenRec.Data.Preparation;

namespace GenRec.Tests.Data;

/// <summary>The DuckDB preparation of large logs equals the in-memory preparation, and names bad input.</summary>
public sealed class DuckDbPreparerTests
{
    // Timestamp ties (file order decides), users and items that the 3-core removes in a second pass, unsorted ids.
    private const string Log = """
        userId,movieId,rating,timestamp
        10,5,4.0,100
        10,7,3.5,100
        10,9,5.0,90
        10,5,2.0,120
        2,7,4.0,10
        2,9,3.0,20
        2,5,1.0,30
        2,11,2.0,40
        33,7,5.0,5
        33,9,4.0,6
        33,5,3.0,7
        33,11,4.5,8
        4,12,1.0,1
        4,12,1.0,2
        4,11,1.0,3
        5,13,1.0,1
        5,7,2.0,2
        """;

    private static SequenceDataset InMemory(TempDir dir, int kcore) =>
        DatasetLoader.Load(new DatasetRequest(dir.Path) { CacheDir = null, Options = new PrepareOptions { KCore = kcore } });

    private static SequenceDataset ViaDuckDb(string input, string output, int kcore)
    {
        DuckDbPreparer.Prepare(input, output, new LogColumns("userId", "movieId", "timestamp", "rating"), new PrepareOptions { KCore = kcore });
        return Datasets.Load(output);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void CsvAndParquetEqualTheInMemoryPreparation(int kcore)
    {
        using var dir = new TempDir();
        var csv = dir.File("ratings.csv", Log.ReplaceLineEndings("\n") + "\n");
        var expected = InMemory(dir, kcore);
        var parquet = Path.Combine(dir.Path, "log.parquet");
        using (var db = new DuckDBConnection("Data Source=:memory:"))
        {
            db.Open();
            using var command = db.CreateCommand();
            command.CommandText = $"COPY (SELECT * FROM read_csv('{csv}', header = true)) TO '{parquet}' (FORMAT parquet)";
            command.ExecuteNonQuery();
        }

        foreach (var actual in new[] { ViaDuckDb(csv, Path.Combine(dir.Path, "csv.grd"), kcore), ViaDuckDb(parquet, Path.Combine(dir.Path, "parquet.grd"), kcore) })
        {
            Assert.Equal(expected.UserKeys, actual.UserKeys);
            Assert.Equal(expected.ItemKeys, actual.ItemKeys);
            Assert.Equal(expected.Sequences, actual.Sequences);
            Assert.Equal(expected.Ratings, actual.Ratings);
            Assert.Equal(expected.Timestamps, actual.Timestamps);
            Assert.Equal(expected.Report.RowsRemovedByKCore, actual.Report.RowsRemovedByKCore);
            Assert.Equal(expected.Report.KCorePasses, actual.Report.KCorePasses);
        }

        if (kcore == 3)
        {
            // Numeric order; item 12 goes in pass 1, then user 4 (pass 2), then item 11 (pass 3).
            Assert.Equal(["2", "10", "33"], expected.UserKeys);
            Assert.DoesNotContain("11", expected.ItemKeys);
            Assert.True(expected.Report.KCorePasses >= 3, $"{expected.Report.KCorePasses} passes");
        }
    }

    [Fact]
    public void StringKeysAreOrderedOrdinallyAsInMemory()
    {
        using var dir = new TempDir();
        var csv = dir.File("ratings.csv", "userId,movieId,rating,timestamp\nb,x,1,1\nB,y,1,2\na,x,1,3\nb,Y,1,1\n");
        var expected = InMemory(dir, 0);
        var actual = ViaDuckDb(csv, Path.Combine(dir.Path, "s.grd"), 0);
        Assert.Equal(expected.UserKeys, actual.UserKeys);
        Assert.Equal(expected.ItemKeys, actual.ItemKeys);
        Assert.Equal(expected.Sequences, actual.Sequences);
    }

    [Fact]
    public void BadInputIsNamed()
    {
        using var dir = new TempDir();
        var missing = dir.File("a.csv", "user,item\n1,2\n");
        var error = Assert.Throws<DataFormatException>(() => DuckDbPreparer.Prepare(missing, Path.Combine(dir.Path, "a.grd"), new LogColumns("user", "movie", null)));
        Assert.Contains("movie", error.Message);
        Assert.Contains("a.csv", error.Message);

        var empty = dir.File("b.csv", "user,item\n1,2\n1,3\n,4\n");
        var emptyId = Assert.Throws<DataFormatException>(() => DuckDbPreparer.Prepare(empty, Path.Combine(dir.Path, "b.grd"), new LogColumns("user", "item", null)));
        Assert.Equal(4, emptyId.Line);
        Assert.Equal("user", emptyId.Field);

        var typed = dir.File("c.csv", "user,item,ts\n1,2,5\n1,3,yesterday\n");
        var badTime = Assert.Throws<DataFormatException>(() => DuckDbPreparer.Prepare(typed, Path.Combine(dir.Path, "c.grd"), new LogColumns("user", "item", "ts")));
        Assert.Contains("c.csv", badTime.Message);
        Assert.False(File.Exists(Path.Combine(dir.Path, "c.grd")));
    }
}
