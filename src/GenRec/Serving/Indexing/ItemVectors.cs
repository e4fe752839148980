namespace GenRec.Serving.Indexing;

/// <summary>
/// Item embeddings as a row-major matrix: row i is item i (row 0 is padding and never returned).
/// Scores are inner products, which is the model's own score for the dot-product similarity.
/// </summary>
internal sealed class ItemVectors
{
    public ItemVectors(float[] values, int dim)
    {
        if (dim <= 0 || values.Length % dim != 0)
        {
            throw new ArgumentException($"{values.Length} values are not rows of {dim}");
        }

        Values = values;
        Dim = dim;
    }

    public float[] Values { get; }

    public int Dim { get; }

    /// <summary>Rows, padding included.</summary>
    public int Count => Values.Length / Dim;

    public ReadOnlySpan<float> Row(int item) => Values.AsSpan(item * Dim, Dim);

    public float Dot(ReadOnlySpan<float> query, int item) => System.Numerics.Tensors.TensorPrimitives.Dot(query, Row(item));
}
