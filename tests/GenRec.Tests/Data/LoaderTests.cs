using GenRec.Data;
using GenRec.Data.Loaders;

namespace GenRec.Tests.Data;

public class LoaderTests
{
    [Fact]
    public void MovieLensDatReadsEveryField()
    {
        using var dir = new TempDir();
        var log = MovieLensDatLoader.LoadRatings(dir.File("ratings.dat", "1::1193::5::978300760\n1::661::3::978302109\n2::1193::4.5::978300000\n"));
        Assert.Equal(3, log.Count);
        Assert.Equal(["1", "1", "2"], log.Users);
        Assert.Equal("661", log.Items[1]);
        Assert.Equal(4.5f, log.Ratings[2]);
        Assert.Equal(978302109L, log.Timestamps[1]);
    }

    [Theory]
    [InlineData("1::1193::5\n", 1, "timestamp")]
    [InlineData("1::1193::5::978300760\n1::661::x::978302109\n", 2, "rating")]
    [InlineData("1::1193::5::978300760\n\n3::7::5::notatime\n", 3, "timestamp")]
    [InlineData("::1193::5::978300760\n", 1, "user_id")]
    public void MovieLensDatNamesFileLineAndField(string content, long line, string field)
    {
        using var dir = new TempDir();
        var e = Assert.Throws<DataFormatException>(() => MovieLensDatLoader.LoadRatings(dir.File("ratings.dat", content)));
        Assert.Equal("ratings.dat", e.File);
        Assert.Equal(line, e.Line);
        Assert.Equal(field, e.Field);
        Assert.StartsWith($"ratings.dat:{line}: field '{field}'", e.Message);
    }

    [Fact]
    public void MovieLensCsvReadsRatingsAndQuotedTitles()
    {
        using var dir = new TempDir();
        var log = MovieLensCsvLoader.LoadRatings(dir.File("ratings.csv", "userId,movieId,rating,timestamp\r\n1,1,4.0,964982703\r\n1,3,4.0,964981247\r\n"));
        Assert.Equal(2, log.Count);
        Assert.Equal(964981247L, log.Timestamps[1]);
        var movies = MovieLensCsvLoader.LoadMovies(dir.File("movies.csv", "movieId,title,genres\n1,Toy Story (1995),Adventure|Animation\n11,\"American President, The (1995)\",Comedy|Drama|Romance\n12,Nothing (2000),(no genres listed)\n"));
        Assert.Equal("American President, The (1995)", movies["11"].Title);
        Assert.Equal(["Adventure", "Animation"], movies["1"].Categories);
        Assert.Empty(movies["12"].Categories);
    }

    [Theory]
    [InlineData("userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,4.0\n", 3, "record")]
    [InlineData("userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,good,964981247\n", 3, "rating")]
    [InlineData("user,movie,rating,timestamp\n1,1,4.0,964982703\n", 1, "header column 1")]
    public void MovieLensCsvNamesFileLineAndField(string content, long line, string field)
    {
        using var dir = new TempDir();
        var e = Assert.Throws<DataFormatException>(() => MovieLensCsvLoader.LoadRatings(dir.File("ratings.csv", content)));
        Assert.Equal((line, field), (e.Line, e.Field));
    }

    [Fact]
    public void MovieLensCsvLineNumbersCountLinesInsideQuotedFields()
    {
        using var dir = new TempDir();
        var path = dir.File("movies.csv", "movieId,title,genres\n1,\"Two\nLines\",Drama\n2,,Comedy\n");
        var e = Assert.Throws<DataFormatException>(() => MovieLensCsvLoader.LoadMovies(path));
        Assert.Equal((4L, "title"), (e.Line, e.Field));
    }

    [Fact]
    public void MoviesDatAndDuplicateIds()
    {
        using var dir = new TempDir();
        var movies = MovieLensDatLoader.LoadMovies(dir.File("movies.dat", "1::Toy Story (1995)::Animation|Children's|Comedy\n2::Jumanji (1995)::Adventure\n"));
        Assert.Equal("Jumanji (1995)", movies["2"].Title);
        Assert.Equal(3, movies["1"].Categories.Count);
        var e = Assert.Throws<DataFormatException>(() => MovieLensDatLoader.LoadMovies(dir.File("dup.dat", "1::A::B\n1::C::D\n")));
        Assert.Equal((2L, "movie_id"), (e.Line, e.Field));
        var bad = Assert.Throws<DataFormatException>(() => MovieLensDatLoader.LoadMovies(dir.File("bad.dat", "1::A::B\n2::only two\n")));
        Assert.Equal((2L, "record"), (bad.Line, bad.Field));
    }

    [Fact]
    public void SequenceTextKeepsFileOrder()
    {
        using var dir = new TempDir();
        var log = SequenceTextLoader.Load(dir.File("seq.txt", "1 5 3 9\n2 3 5\n"));
        Assert.False(log.HasTimestamps);
        Assert.Equal(["5", "3", "9", "3", "5"], log.Items);
    }

    [Theory]
    [InlineData("1 5 3\n2\n", 2, "items")]
    [InlineData("1 5 3\n2 4 x7\n", 2, "item 2")]
    [InlineData("1 5 3\nu2 4 7\n", 2, "user")]
    [InlineData("1 5 3\n1 4 7\n", 2, "user")]
    public void SequenceTextNamesFileLineAndField(string content, long line, string field)
    {
        using var dir = new TempDir();
        var e = Assert.Throws<DataFormatException>(() => SequenceTextLoader.Load(dir.File("seq.txt", content)));
        Assert.Equal(("seq.txt", line, field), (e.File, e.Line, e.Field));
    }

    [Fact]
    public void SasRecFormatCsvReadsListsAndChecksLengths()
    {
        using var dir = new TempDir();
        const string header = "index,user_id,sequence_item_ids,sequence_ratings,sequence_timestamps\n";
        var log = SasRecFormatCsvLoader.Load(dir.File("sasrec_format.csv", header + "0,7,\"10,11,12\",\"5,4,3\",\"100,200,300\"\n1,8,\"11\",\"2\",\"150\"\n"));
        Assert.Equal(4, log.Count);
        Assert.Equal(["10", "11", "12", "11"], log.Items);
        Assert.Equal(300L, log.Timestamps[2]);
        var e = Assert.Throws<DataFormatException>(() => SasRecFormatCsvLoader.Load(dir.File("bad.csv", header + "0,7,\"10,11\",\"5,4\",\"100,200\"\n1,8,\"11,12\",\"2\",\"150,160\"\n")));
        Assert.Equal((3L, "sequence_ratings"), (e.Line, e.Field));
        var ts = Assert.Throws<DataFormatException>(() => SasRecFormatCsvLoader.Load(dir.File("bad2.csv", header + "0,7,\"10,11\",\"5,4\",\"100,2x\"\n")));
        Assert.Equal((2L, "sequence_timestamps[1]"), (ts.Line, ts.Field));
    }

    [Fact]
    public void AmazonRatingsCsv()
    {
        using var dir = new TempDir();
        var log = AmazonRatingsLoader.Load(dir.File("ratings_Beauty.csv", "A39HTATAQ9V7YF,0205616461,5.0,1369699200\nA3JM6GV9MNOF9X,0558925278,3.0,1355443200\n"));
        Assert.Equal(["A39HTATAQ9V7YF", "A3JM6GV9MNOF9X"], log.Users);
        var e = Assert.Throws<DataFormatException>(() => AmazonRatingsLoader.Load(dir.File("ratings_X.csv", "A,B,5.0,1369699200\nA,C,5.0\n")));
        Assert.Equal(("ratings_X.csv", 2L, "record"), (e.File, e.Line, e.Field));
    }

    [Fact]
    public void JsonLinesMetadataFlattensCategoriesAndDecodesHtml()
    {
        using var dir = new TempDir();
        var items = JsonLinesMetadataLoader.Load(dir.File("items.jsonl",
            "{\"s3rec_item_id\": 1, \"title\": \"Soap &amp; Co\", \"categories\": [[\"Beauty\", \"Bath\"], [\"Beauty\", \"Skin\"]]}\n" +
            "{\"s3rec_item_id\": 2, \"title\": \"Cream\", \"brand\": \"Acme\", \"price\": 4.5}\n"));
        Assert.Equal("Soap & Co", items["1"].Title);
        Assert.Equal(["Beauty", "Bath", "Skin"], items["1"].Categories);
        Assert.Equal("Cream. Brand: Acme. Price: 4.5", items["2"].ToText());
    }

    [Theory]
    [InlineData("{\"item_id\": 1, \"title\": \"A\"}\n{\"item_id\": 2, \"title\": [\"B\"]}\n", 2, "title")]
    [InlineData("{\"item_id\": 1, \"title\": \"A\"}\n{not json\n", 2, "record")]
    [InlineData("{\"item_id\": 1, \"title\": \"A\"}\n{\"item_id\": 2, \"title\": \"B\", \"price\": \"cheap\"}\n", 2, "price")]
    [InlineData("{\"item_id\": 1, \"title\": \"A\"}\n{\"item_id\": 1, \"title\": \"B\"}\n", 2, "item_id")]
    public void JsonLinesMetadataNamesFileLineAndField(string content, long line, string field)
    {
        using var dir = new TempDir();
        var e = Assert.Throws<DataFormatException>(() => JsonLinesMetadataLoader.Load(dir.File("items.jsonl", content)));
        Assert.Equal(("items.jsonl", line, field), (e.File, e.Line, e.Field));
    }

    [Fact]
    public void LocatorDetectsFormatsInFolders()
    {
        using var dir = new TempDir();
        dir.File("ml/ratings.dat", "1::2::3::4\n");
        dir.File("ml/movies.dat", "2::X::Y\n");
        var ml = DatasetLocator.Locate(Path.Combine(dir.Path, "ml"));
        Assert.Equal(DataFormat.MovieLensDat, ml.Format);
        Assert.EndsWith("movies.dat", ml.Metadata);

        dir.File("seq/notes.txt", "this is not a sequence file\n");
        dir.File("seq/data.txt", "1 2 3\n");
        var seq = DatasetLocator.Locate(Path.Combine(dir.Path, "seq"));
        Assert.Equal((DataFormat.SequenceText, "data.txt"), (seq.Format, Path.GetFileName(seq.Interactions)));

        dir.File("amz/ratings_Beauty.csv", "A,B,5.0,1\n");
        Assert.Equal(DataFormat.AmazonRatings, DatasetLocator.Locate(Path.Combine(dir.Path, "amz")).Format);
        Assert.Equal(DataFormat.MovieLensCsv, DatasetLocator.Locate(dir.File("x/ratings.csv", "userId,movieId,rating,timestamp\n")).Format);
        Assert.Throws<ArgumentException>(() => DatasetLocator.Locate(dir.File("empty/readme.md", "hi")[..^10]));
    }
}
