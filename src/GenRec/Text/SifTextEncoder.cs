using System.Text.RegularExpressions;

namespace GenRec.Text;

/// <summary>
/// The offline sentence encoder: smooth inverse frequency (SIF; Arora et al., 2017) over pretrained
/// word vectors. A text is lower-cased and split into letter/digit tokens; its vector is the mean of
/// the known tokens' vectors weighted by <c>a / (a + p(w))</c>, with <c>p(w)</c> from the word's
/// frequency rank (Zipf: <c>p = 1 / ((rank + 1) H_V)</c>) and <c>a = 1e-3</c>; then, across all texts
/// of one call, the projection on the first principal direction (the common component) is removed.
/// Texts without a known word get a zero vector.
/// </summary>
internal sealed partial class SifTextEncoder : ITextEncoder
{
    private readonly WordVectors words;
    private readonly double a;
    private readonly double harmonic;

    public SifTextEncoder(WordVectors words, double a = 1e-3, bool removeCommonComponent = true)
    {
        this.words = words;
        this.a = a;
        RemoveCommonComponent = removeCommonComponent;
        harmonic = Enumerable.Range(1, words.Count).Sum(r => 1.0 / r);
    }

    public string Name => $"sif-glove-{words.Dim}d";

    public int Dim => words.Dim;

    public bool RemoveCommonComponent { get; }

    public static IEnumerable<string> Tokens(string text) => TokenPattern().Matches(text.ToLowerInvariant()).Select(m => m.Value);

    public double Weight(int row) => a / (a + (1.0 / ((words.Ranks[row] + 1) * harmonic)));

    public float[] Encode(IReadOnlyList<string> texts)
    {
        var d = Dim;
        var result = new float[texts.Count * d];
        for (var t = 0; t < texts.Count; t++)
        {
            var sum = new double[d];
            var count = 0;
            foreach (var token in Tokens(texts[t]))
            {
                if (!words.TryGet(token, out var row))
                {
                    continue;
                }

                var weight = Weight(row);
                var vector = words.Row(row);
                for (var i = 0; i < d; i++)
                {
                    sum[i] += weight * vector[i];
                }

                count++;
            }

            for (var i = 0; i < d && count > 0; i++)
            {
                result[(t * d) + i] = (float)(sum[i] / count);
            }
        }

        if (RemoveCommonComponent && texts.Count > 1)
        {
            var u = FirstPrincipalDirection(result, texts.Count, d);
            for (var t = 0; t < texts.Count; t++)
            {
                var row = result.AsSpan(t * d, d);
                double projection = 0;
                for (var i = 0; i < d; i++)
                {
                    projection += row[i] * u[i];
                }

                for (var i = 0; i < d; i++)
                {
                    row[i] -= (float)(projection * u[i]);
                }
            }
        }

        return result;
    }

    /// <summary>Top right singular vector of X [n, d] (uncentred, as SIF), by power iteration on X^T X.</summary>
    internal static double[] FirstPrincipalDirection(float[] x, int n, int d)
    {
        var gram = new double[d, d];
        for (var r = 0; r < n; r++)
        {
            for (var i = 0; i < d; i++)
            {
                var xi = x[(r * d) + i];
                for (var j = 0; j < d; j++)
                {
                    gram[i, j] += xi * x[(r * d) + j];
                }
            }
        }

        var v = Enumerable.Range(0, d).Select(i => 1.0 / Math.Sqrt(d) * (1 + (i * 1e-3))).ToArray();
        for (var iteration = 0; iteration < 200; iteration++)
        {
            var next = new double[d];
            for (var i = 0; i < d; i++)
            {
                for (var j = 0; j < d; j++)
                {
                    next[i] += gram[i, j] * v[j];
                }
            }

            var norm = Math.Sqrt(next.Sum(e => e * e));
            if (norm == 0)
            {
                return v;
            }

            v = next.Select(e => e / norm).ToArray();
        }

        return v;
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex TokenPattern();
}
