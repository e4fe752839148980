namespace GenRec.Models.Ranking;

/// <summary>
/// The tasks the multi-task head predicts at a candidate. <c>engage</c>: the user interacts with the
/// candidate next (the real next item against sampled items). <c>like</c> (rated data only): the user
/// rates the engaged item at or above the like threshold; trained and measured on engaged items only.
/// </summary>
internal static class RankingTasks
{
    public const int Engage = 0;

    public const int Like = 1;

    public static string[] Names(bool rated) => rated ? ["engage", "like"] : ["engage"];
}
