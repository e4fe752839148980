namespace GenRec.Text;

/// <summary>Turns texts into fixed-size vectors: one row of <see cref="Dim"/> floats per text, row-major.</summary>
internal interface ITextEncoder
{
    string Name { get; }

    int Dim { get; }

    float[] Encode(IReadOnlyList<string> texts);
}
