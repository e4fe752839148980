using System.Collections.Concurrent;

namespace GenRec.Text;

/// <summary>
/// Item-text encoders by name, for configs that name one (<c>llm_esr.embeddings</c>): <c>glove</c> (SIF over
/// GloVe, built in) and whatever a host registers, such as the sentence models of
/// <c>GenRec.SentenceModels</c> (<c>minilm</c>, <c>arctic-xs</c>), which the CLI registers at start.
/// </summary>
internal static class TextEncoders
{
    private static readonly ConcurrentDictionary<string, Func<ITextEncoder>> Factories = new(StringComparer.Ordinal);

    /// <summary>Makes <paramref name="name"/> available; the factory runs only when the encoder is used.</summary>
    public static void Register(string name, Func<ITextEncoder> factory) => Factories[name] = factory;

    public static IReadOnlyCollection<string> Names => [WordVectors.EncoderName, .. Factories.Keys.Order()];

    public static bool IsKnown(string name) => name == WordVectors.EncoderName || Factories.ContainsKey(name);

    /// <summary>The encoder of that name (dispose it when it is disposable).</summary>
    public static ITextEncoder Create(string name, string? gloveVectors = null) =>
        name == WordVectors.EncoderName ? new SifTextEncoder(WordVectors.Load(gloveVectors ?? WordVectors.DefaultPath))
        : Factories.TryGetValue(name, out var factory) ? factory()
        : throw new ArgumentException($"unknown item-text encoder '{name}' (available: {string.Join(", ", Names)})");
}
