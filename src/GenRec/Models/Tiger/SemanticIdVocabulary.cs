namespace GenRec.Models.Tiger;

/// <summary>
/// Token ids of the TIGER vocabulary: 0 = padding, 1 = decoder start, then one block of codes per
/// semantic-ID position (position p's code c is <c>offset_p + c</c>), then the hashed user buckets.
/// Separate blocks per position, as in TIGER, so code 5 at level 1 and at level 2 are different tokens.
/// </summary>
internal sealed class SemanticIdVocabulary
{
    public const int Padding = 0;
    public const int DecoderStart = 1;

    public SemanticIdVocabulary(int[] codesPerPosition, int userBuckets)
    {
        CodesPerPosition = codesPerPosition;
        Offsets = new int[codesPerPosition.Length];
        var next = 2;
        for (var p = 0; p < codesPerPosition.Length; p++)
        {
            Offsets[p] = next;
            next += codesPerPosition[p];
        }

        UserOffset = next;
        UserBuckets = userBuckets;
        Size = next + userBuckets;
    }

    /// <summary>The vocabulary of a semantic ID table (row 0 unused): each position's block as large as its largest code + 1.</summary>
    public static SemanticIdVocabulary Of(IReadOnlyList<int[]> ids, int userBuckets) =>
        new([.. Enumerable.Range(0, ids[1].Length).Select(p => ids.Skip(1).Max(i => i[p]) + 1)], userBuckets);

    public int[] CodesPerPosition { get; }

    public int[] Offsets { get; }

    public int UserOffset { get; }

    public int UserBuckets { get; }

    public int Size { get; }

    public int IdLength => CodesPerPosition.Length;

    public int Token(int position, int code) => Offsets[position] + code;

    public int Code(int position, int token) => token - Offsets[position];

    /// <summary>A user's bucket token (a fixed multiplicative hash of the dense user id).</summary>
    public int UserToken(int user) => UserOffset + (int)((uint)(user * 2_654_435_761u) % (uint)UserBuckets);
}
