namespace GenRec.Models.Preprocessors;

/// <summary>
/// Ratings as embedding ids: half-star levels <c>round(2 * rating)</c> clamped to 1..10, so MovieLens'
/// 0.5-5 stars and Amazon's 1-5 share one table; 0 is padding.
/// </summary>
internal static class RatingLevels
{
    public const int Count = 10;

    public static long Of(float rating) => Math.Clamp((long)Math.Round(rating * 2, MidpointRounding.AwayFromZero), 1, Count);
}
