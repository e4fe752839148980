using GenRec.Scoring;

namespace GenRec.Models.Baselines;

/// <summary>Baselines by name: <c>most-popular</c>, <c>transitions</c> (from the training sequences alone), and <c>text-knn</c> (<see cref="TextKnn"/>, which also needs item vectors).</summary>
internal static class BaselineFactory
{
    public static readonly string[] Names = ["most-popular", "transitions"];

    public const string TextKnnName = "text-knn";

    public static IScorer Create(string name, IReadOnlyList<int[]> train, int numItems, (float[] Values, int Dim)? itemVectors = null) => name switch
    {
        "most-popular" => new MostPopular(train, numItems),
        "transitions" => new ItemTransitions(train, numItems),
        TextKnnName => itemVectors is { } v ? new TextKnn(v.Values, v.Dim, numItems) : throw new ArgumentException("the text-knn baseline needs item vectors (--embeddings items.npy from genrec text embed)"),
        _ => throw new ArgumentException($"unknown baseline '{name}' (expected {string.Join(", ", Names)} or {TextKnnName})"),
    };
}
