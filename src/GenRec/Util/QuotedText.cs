namespace GenRec.Util;

/// <summary>Caller-supplied text quoted back in messages: clipped, so an answer never echoes a huge value.</summary>
internal static class QuotedText
{
    public const int MaxQuoted = 64;

    public static string Clip(string value) => value.Length <= MaxQuoted ? value : $"{value[..MaxQuoted]}... ({value.Length:N0} characters)";
}
