using GenRec.Data;
using GenRec.Data.Preparation;
using GenRec.Data.Splits;

namespace GenRec.Tests.Data;

public class PreparationTests
{
    private static InteractionLog Log(params (string U, string I, long T)[] rows)
    {
        var log = new InteractionLog("test", hasRatings: true, hasTimestamps: true);
        foreach (var (u, i, t) in rows)
        {
            log.Add(u, i, 1f, t);
        }

        return log;
    }

    [Fact]
    public void SortsChronologicallyAndStablyAndRemapsIds()
    {
        // User 10's rows arrive out of time order, with a tie at t=5 (file order must win).
        var log = Log(("10", "300", 9), ("10", "100", 5), ("10", "20", 5), ("2", "100", 1));
        var data = DatasetPreparer.Prepare("t", log, new PrepareOptions(), null, "test");
        Assert.Equal(["2", "10"], data.UserKeys);                 // numeric order, not string order
        Assert.Equal([SequenceDataset.PaddingKey, "20", "100", "300"], data.ItemKeys);
        Assert.Equal([2, 1, 3], data.Sequences[1]);               // 100@5, 20@5, 300@9
        Assert.Equal([5L, 5L, 9L], data.Timestamps![1]);
        Assert.Equal([2], data.Sequences[0]);
    }

    [Fact]
    public void UntilKeepsTheLogAsItStoodBeforeTheCutOffThenFilters()
    {
        // Before t=5: user y has one interaction left and item c none, so with a 2-core y goes and c is never an item.
        var log = Log(("x", "a", 1), ("x", "b", 2), ("y", "a", 3), ("y", "b", 5), ("x", "c", 7), ("z", "a", 1), ("z", "b", 4));
        var data = DatasetPreparer.Prepare("t", log, new PrepareOptions { Until = 5, KCore = 2 }, null, "test");
        Assert.Equal(["x", "z"], data.UserKeys);
        Assert.Equal([SequenceDataset.PaddingKey, "a", "b"], data.ItemKeys);
        Assert.All(data.Timestamps!, ts => Assert.All(ts, t => Assert.True(t < 5)));

        var untimed = new InteractionLog("untimed.csv", hasRatings: false, hasTimestamps: false);
        untimed.Add("x", "a");
        Assert.Contains("untimed.csv: data.until needs timestamps", Assert.Throws<InvalidDataException>(() => DatasetPreparer.Prepare("t", untimed, new PrepareOptions { Until = 5 }, null, "test")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnsetCutOffLeavesTheCacheKeyAsItWas()
    {
        // Logs prepared before data.until existed keep their cache: the options serialise as they did.
        Assert.Equal("{\"KCore\":5,\"KCoreMode\":0}", System.Text.Json.JsonSerializer.Serialize(new PrepareOptions { KCore = 5 }));
        Assert.Contains("\"Until\":5", System.Text.Json.JsonSerializer.Serialize(new PrepareOptions { KCore = 5, Until = 5 }), StringComparison.Ordinal);
    }

    [Fact]
    public void IterativeKCoreReachesAFixedPointAndReportsRemovals()
    {
        // 2-core: item c has one interaction; removing it leaves user z with one item, so z goes,
        // which leaves item b with one interaction, so it goes too.
        var log = Log(("x", "a", 1), ("x", "b", 2), ("y", "a", 1), ("y", "d", 2), ("w", "a", 1), ("w", "d", 2), ("z", "b", 1), ("z", "c", 2));
        var data = DatasetPreparer.Prepare("t", log, new PrepareOptions { KCore = 2 }, null, "test");
        Assert.Equal(["w", "y"], data.UserKeys);
        Assert.Equal([SequenceDataset.PaddingKey, "a", "d"], data.ItemKeys);
        Assert.Equal(4L, data.NumInteractions);
        Assert.Equal(4L, data.Report.RowsRemovedByKCore);
        Assert.Equal(2, data.Report.UsersRemovedByKCore);
        Assert.Equal(2, data.Report.ItemsRemovedByKCore);
        Assert.True(data.Report.KCorePasses >= 3);
    }

    [Fact]
    public void OnePassKCoreUsesTheOriginalCountsOnce()
    {
        // Counts on the input: a=3, b=2, c=1, d=2. One pass with k=2 drops only (z, c); z is then
        // left with one item and is dropped as too short. b keeps its row from x although b now
        // has a single interaction: the one-pass variant does not iterate.
        var log = Log(("x", "a", 1), ("x", "b", 2), ("y", "a", 1), ("y", "d", 2), ("w", "a", 1), ("w", "d", 2), ("z", "b", 1), ("z", "c", 2));
        var data = DatasetPreparer.Prepare("t", log, new PrepareOptions { KCore = 2, KCoreMode = KCoreMode.OnePass }, null, "test");
        Assert.Equal(["w", "x", "y"], data.UserKeys);
        Assert.Contains("b", data.ItemKeys);
        Assert.Equal(6L, data.NumInteractions);
        Assert.Equal(2L, data.Report.RowsRemovedByKCore);
    }

    [Fact]
    public void MetadataIsJoinedByOriginalId()
    {
        var log = Log(("1", "7", 1), ("1", "8", 2));
        var meta = new Dictionary<string, ItemMetadata> { ["8"] = new("Eight", []), ["99"] = new("Unused", []) };
        var data = DatasetPreparer.Prepare("t", log, new PrepareOptions(), meta, "test");
        Assert.Equal("Eight", data.ItemLabel(2));
        Assert.Equal("7", data.ItemLabel(1));
        Assert.Equal(1, data.Report.MetadataEntriesWithoutInteractions);
    }

    [Fact]
    public void CacheRoundTripsAndIsReusedOnlyForTheSameInputAndOptions()
    {
        using var dir = new TempDir();
        var ratings = dir.File("ml/ratings.dat", "1::10::5::3\n1::11::4::1\n2::10::3::2\n2::12::3::5\n3::10::1::1\n");
        dir.File("ml/movies.dat", "10::Ten (1990)::Drama\n11::Eleven (1991)::Comedy|Drama\n");
        var cache = Path.Combine(dir.Path, "cache");
        var request = new DatasetRequest(Path.Combine(dir.Path, "ml")) { CacheDir = cache };
        var messages = new List<string>();
        var first = DatasetLoader.Load(request, messages.Add);
        var second = DatasetLoader.Load(request, messages.Add);
        Assert.Contains(messages, m => m.StartsWith("reusing", StringComparison.Ordinal));
        Assert.Equal(first.UserKeys, second.UserKeys);
        Assert.Equal(first.ItemKeys, second.ItemKeys);
        Assert.Equal(first.Sequences, second.Sequences);
        Assert.Equal(first.Timestamps, second.Timestamps);
        Assert.Equal(first.Ratings, second.Ratings);
        Assert.Equal(first.Items.Select(i => i?.ToText()), second.Items.Select(i => i?.ToText()));
        Assert.Equal(first.Report, second.Report);
        Assert.Single(Directory.GetFiles(cache));

        DatasetLoader.Load(request with { Options = new PrepareOptions { KCore = 2 } });
        Assert.Equal(2, Directory.GetFiles(cache).Length);
        File.AppendAllText(ratings, "3::11::2::9\n");
        messages.Clear();
        var changed = DatasetLoader.Load(request, messages.Add);
        Assert.DoesNotContain(messages, m => m.StartsWith("reusing", StringComparison.Ordinal));
        Assert.Equal(6L, changed.NumInteractions);
        Assert.Empty(Directory.GetFiles(cache, "*.tmp"));
    }

    [Fact]
    public void TruncatedCacheIsAClearError()
    {
        using var dir = new TempDir();
        var path = dir.File("x.grd", "");
        var data = DatasetPreparer.Prepare("t", Log(("1", "2", 1), ("1", "3", 2)), new PrepareOptions(), null, "test");
        DatasetLoader.Save(data, path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => DatasetLoader.Load(new DatasetRequest(path)));
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void LeaveOneOutHoldsOutTheLastTwoItems()
    {
        var data = DatasetPreparer.Prepare("t", Log(("1", "1", 1), ("1", "2", 2), ("1", "3", 3), ("1", "4", 4), ("2", "1", 1), ("2", "2", 2)), new PrepareOptions(), null, "test");
        var split = SequenceSplit.Create(data, SplitKind.LeaveOneOut);
        Assert.Equal([1, 2], split.Train[0]);
        Assert.Equal([1, 2], split.Train[1]);                    // too short to hold out: trains only
        Assert.Equal(1, split.UsersTooShort);
        var valid = Assert.Single(split.Valid);
        Assert.Equal([1, 2], valid.History);
        Assert.Equal(3, valid.Target);
        var test = Assert.Single(split.Test);
        Assert.Equal([1, 2, 3], test.History);
        Assert.Equal(4, test.Target);

        var last = SequenceSplit.Create(data, SplitKind.LastItem);
        Assert.Equal([1, 2, 3], last.Train[0]);
        Assert.Empty(last.Valid);
        Assert.Equal(2, last.Test.Length);
        Assert.Equal([1], last.Test[1].History);
        Assert.Equal(2, last.Test[1].Target);
    }
}
