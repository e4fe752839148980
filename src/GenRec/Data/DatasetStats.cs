namespace GenRec.Data;

/// <summary>Summary counts of a prepared dataset.</summary>
internal sealed record DatasetStats(
    string Name,
    int Users,
    int Items,
    long Interactions,
    double MeanLength,
    double MedianLength,
    int MinLength,
    int MaxLength,
    double Density,
    bool HasRatings,
    bool HasTimestamps,
    int ItemsWithMetadata)
{
    public static DatasetStats Of(SequenceDataset data)
    {
        var lengths = data.Sequences.Select(s => s.Length).Order().ToArray();
        var n = lengths.Length;
        double median = n == 0 ? 0 : n % 2 == 1 ? lengths[n / 2] : (lengths[(n / 2) - 1] + lengths[n / 2]) / 2.0;
        var interactions = data.NumInteractions;
        return new DatasetStats(
            data.Name,
            data.NumUsers,
            data.NumItems,
            interactions,
            n == 0 ? 0 : (double)interactions / n,
            median,
            n == 0 ? 0 : lengths[0],
            n == 0 ? 0 : lengths[^1],
            data.NumUsers == 0 || data.NumItems == 0 ? 0 : (double)interactions / ((double)data.NumUsers * data.NumItems),
            data.Ratings is not null,
            data.Timestamps is not null,
            data.Items.Count(m => m is not null));
    }
}
