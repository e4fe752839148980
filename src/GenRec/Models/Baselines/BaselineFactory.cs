using GenRec.Evaluation;

namespace GenRec.Models.Baselines;

/// <summary>Baselines by name: <c>most-popular</c>, <c>transitions</c>.</summary>
public static class BaselineFactory
{
    public static readonly string[] Names = ["most-popular", "transitions"];

    public static IScorer Create(string name, IReadOnlyList<int[]> train, int numItems) => name switch
    {
        "most-popular" => new MostPopular(train, numItems),
        "transitions" => new ItemTransitions(train, numItems),
        _ => throw new ArgumentException($"unknown baseline '{name}' (expected {string.Join(" or ", Names)})"),
    };
}
