using System.Text.Json;
using System.Text.Json.Serialization;

namespace GenRec.Configuration;

/// <summary>
/// Closed choices (a config's <c>similarity</c>, <c>loss</c>, <c>precision</c>, ...) are enums, parsed once: from JSON by
/// <see cref="Converter"/> and from a command line or request by <see cref="Parse{T}"/>, both naming the choices in
/// snake_case with the same "available: ..." error.
/// </summary>
public static class ClosedChoice
{
    /// <summary>The snake_case name of a choice, as configs write it (<c>SampledSoftmax</c> is <c>sampled_softmax</c>).</summary>
    public static string Name<T>(T value)
        where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    /// <summary>Every choice's name.</summary>
    public static IReadOnlyList<string> Names<T>()
        where T : struct, Enum => [.. Enum.GetValues<T>().Select(Name)];

    /// <summary>The choice named <paramref name="text"/>; an <see cref="ArgumentException"/> naming <paramref name="field"/> and the choices otherwise.</summary>
    public static T Parse<T>(string text, string field)
        where T : struct, Enum =>
        TryParse<T>(text, out var value) ? value : throw new ArgumentException(Unknown<T>(text, field), field);

    internal static bool TryParse<T>(string text, out T value)
        where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (Name(candidate) == text)
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }

    internal static string Unknown<T>(string text, string field)
        where T : struct, Enum => $"{field}: '{Util.QuotedText.Clip(text)}' is not a choice (available: {string.Join(", ", Names<T>())})";

    /// <summary>Reads and writes every enum as its snake_case name; an unknown name is a <see cref="JsonException"/> listing the choices.</summary>
    internal sealed class Converter : JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(Of<>).MakeGenericType(typeToConvert))!;

        private sealed class Of<T> : JsonConverter<T>
            where T : struct, Enum
        {
            public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            {
                var text = reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new JsonException($"expected one of: {string.Join(", ", Names<T>())}");
                return TryParse<T>(text, out var value) ? value : throw new JsonException($"'{Util.QuotedText.Clip(text)}' is not a choice (available: {string.Join(", ", Names<T>())})");
            }

            public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(Name(value));
        }
    }
}
