using GenRec.Data;
using GenRec.Data.Loaders;

namespace GenRec.Tests.Data;

public sealed class UserFeatureLoaderTests
{
    [Fact]
    public void MovieLensUsersAreAlignedWithTheDatasetAndAttachedFromBesideTheRatings()
    {
        using var dir = new TempDir();
        dir.File("ratings.dat", "1::10::5::100\n1::11::4::101\n2::10::3::100\n3::11::3::100\n");
        dir.File("users.dat", "1::F::1::10::48067\n2::M::56::16::70072\n");
        var data = DatasetLoader.Load(new DatasetRequest(dir.Path) { CacheDir = null });
        var table = data.UserFeatures!;
        Assert.Equal(["gender", "age", "occupation", "zip"], table.Names);
        Assert.Equal(["<unknown>", "F", "M"], table.Vocabularies[0]);
        Assert.Equal([1, 1, 1, 1], table.Values[data.UserIds["1"]]);
        Assert.Equal([0, 0, 0, 0], table.Values[data.UserIds["3"]]); // no row: unknown
        Assert.Equal(1, table.UsersWithoutFeatures);
        Assert.Equal([2, 0, 0, 0], table.Select(["gender", "zip"]).Encode(new Dictionary<string, string> { ["gender"] = "M", ["zip"] = "99999" }).Concat([0, 0]).ToArray());
        Assert.Throws<ArgumentException>(() => table.Encode(new Dictionary<string, string> { ["shoe"] = "42" }));
    }

    [Theory]
    [InlineData("1::F::1::10\n", 1, "record")]
    [InlineData("1::F::1::10::1\n1::M::1::10::2\n", 2, "user_id")]
    [InlineData("1::F::1::10::1\n::M::1::10::2\n", 2, "user_id")]
    public void MalformedUserLinesNameFileLineAndField(string content, int line, string field)
    {
        using var dir = new TempDir();
        var e = Assert.Throws<DataFormatException>(() => UserFeatureLoader.Read(dir.File("users.dat", content)));
        Assert.Equal("users.dat", e.File);
        Assert.Equal(line, e.Line);
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void CsvUserTablesNameTheirFeaturesInTheHeader()
    {
        using var dir = new TempDir();
        var (names, values) = UserFeatureLoader.Read(dir.File("users.csv", "user,country,plan\n1,FR,free\n2,\"DE\",paid\n"));
        Assert.Equal(["country", "plan"], names);
        Assert.Equal(["DE", "paid"], values["2"]);
        var e = Assert.Throws<DataFormatException>(() => UserFeatureLoader.Read(dir.File("bad.csv", "user,country\n1,FR,extra\n")));
        Assert.Equal(2, e.Line);
    }

    [Fact]
    public void JsonLinesUserTablesTakeEveryOtherFieldAsAFeature()
    {
        using var dir = new TempDir();
        var (names, values) = UserFeatureLoader.Read(dir.File("users.jsonl", "{\"user_id\": 1, \"country\": \"FR\", \"age\": 31}\n{\"user_id\": \"2\", \"plan\": \"paid\"}\n"));
        Assert.Equal(["age", "country", "plan"], names);
        Assert.Equal(["31", "FR", ""], values["1"]);
        Assert.Equal(["", "", "paid"], values["2"]);
        var e = Assert.Throws<DataFormatException>(() => UserFeatureLoader.Read(dir.File("bad.jsonl", "{\"user_id\": 1}\n{\"country\": \"FR\"}\n")));
        Assert.Equal(2, e.Line);
        Assert.Equal("user_id", e.Field);
    }
}
