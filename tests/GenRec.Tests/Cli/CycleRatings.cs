namespace GenRec.Tests.Cli;

/// <summary>A small log for runs of the built genrec: 150 users walking a cycle of 40 items with some noise, as MovieLens ratings.dat.</summary>
internal static class CycleRatings
{
    /// <summary>Writes <c>data/ratings.dat</c> (user::item::rating::time) in <paramref name="dir"/>: each user's walk has <paramref name="minLength"/> to <paramref name="minLength"/> + <paramref name="extra"/> - 1 items.</summary>
    public static void Write(TempDir dir, int seed, int minLength, int extra)
    {
        var random = new Random(seed);
        var lines = new List<string>();
        for (var u = 1; u <= 150; u++)
        {
            var item = random.Next(40);
            for (var t = 0; t < minLength + random.Next(extra); t++)
            {
                item = random.NextDouble() < 0.8 ? (item + 1) % 40 : random.Next(40);
                lines.Add($"{u}::{item + 1}::4::{(u * 1000) + t}");
            }
        }

        dir.File("data/ratings.dat", string.Join('\n', lines) + "\n");
    }
}
