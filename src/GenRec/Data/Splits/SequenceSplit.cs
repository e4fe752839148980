namespace GenRec.Data.Splits;

/// <summary>Training sequences and held-out validation/test cases of one dataset.</summary>
internal sealed class SequenceSplit
{
    internal SequenceSplit(SplitKind kind, int[][] train, long[][]? trainTimestamps, float[][]? trainRatings, EvalCase[] valid, EvalCase[] test, int usersTooShort)
    {
        Kind = kind;
        Train = train;
        TrainTimestamps = trainTimestamps;
        TrainRatings = trainRatings;
        Valid = valid;
        Test = test;
        UsersTooShort = usersTooShort;
    }

    public SplitKind Kind { get; }

    /// <summary>Per user (dense user index), the items training may see, oldest first.</summary>
    public int[][] Train { get; }

    public long[][]? TrainTimestamps { get; }

    public float[][]? TrainRatings { get; }

    public EvalCase[] Valid { get; }

    public EvalCase[] Test { get; }

    /// <summary>Users too short to hold anything out (fewer than 3 items for leave-one-out, 2 for last-item): they only train.</summary>
    public int UsersTooShort { get; }

    public static SequenceSplit Create(Data.SequenceDataset data, SplitKind kind)
    {
        var holdOut = kind == SplitKind.LeaveOneOut ? 2 : 1;
        var train = new int[data.NumUsers][];
        var trainTs = data.Timestamps is null ? null : new long[data.NumUsers][];
        var trainRatings = data.Ratings is null ? null : new float[data.NumUsers][];
        var valid = new List<EvalCase>();
        var test = new List<EvalCase>();
        var tooShort = 0;
        for (var u = 0; u < data.NumUsers; u++)
        {
            var seq = data.Sequences[u];
            var ts = data.Timestamps?[u];
            var ratings = data.Ratings?[u];
            var n = seq.Length;
            if (n < holdOut + 1)
            {
                tooShort++;
                train[u] = seq;
                if (trainTs is not null)
                {
                    trainTs[u] = ts!;
                }

                if (trainRatings is not null)
                {
                    trainRatings[u] = ratings!;
                }

                continue;
            }

            train[u] = seq[..(n - holdOut)];
            if (trainTs is not null)
            {
                trainTs[u] = ts![..(n - holdOut)];
            }

            if (trainRatings is not null)
            {
                trainRatings[u] = ratings![..(n - holdOut)];
            }

            if (kind == SplitKind.LeaveOneOut)
            {
                valid.Add(new EvalCase(u, seq[..(n - 2)], seq[n - 2], ts?[..(n - 2)], ts?[n - 2] ?? 0, ratings?[..(n - 2)]));
            }

            test.Add(new EvalCase(u, seq[..(n - 1)], seq[n - 1], ts?[..(n - 1)], ts?[n - 1] ?? 0, ratings?[..(n - 1)]));
        }

        return new SequenceSplit(kind, train, trainTs, trainRatings, valid.ToArray(), test.ToArray(), tooShort);
    }
}
