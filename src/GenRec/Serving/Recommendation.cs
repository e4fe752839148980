namespace GenRec.Serving;

/// <summary>One recommended item: dense id, original id, label (title when known) and score.</summary>
public sealed record Recommendation(int Item, string Key, string Label, float Score);
