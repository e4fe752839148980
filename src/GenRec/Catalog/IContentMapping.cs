using static TorchSharp.torch;

namespace GenRec.Catalog;

/// <summary>
/// A map from an item's content vector (its text embedding) to a trained model's item embedding, learned on the items
/// the model was trained on, so that an item no model has seen gets a row from its content alone.
/// </summary>
internal interface IContentMapping : IDisposable
{
    /// <summary>The method, as results name it (ridge, mlp).</summary>
    string Name { get; }

    /// <summary>content [M, T] -> item embeddings [M, D].</summary>
    Tensor Map(Tensor content);
}
