using System.Security.Cryptography;
using System.Text;

namespace GenRec.Data.Download;

/// <summary>File digests used to check downloads: MD5 (GroupLens publishes <c>.md5</c> files), SHA-256, and git blob ids.</summary>
internal static class Checksums
{
    public static string Md5(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(MD5.HashData(stream));
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>The id git gives the file's content: SHA-1 of <c>"blob {size}\0"</c> followed by the bytes.</summary>
    public static string GitBlob(string path)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        var length = new FileInfo(path).Length;
        sha.AppendData(Encoding.ASCII.GetBytes($"blob {length}\0"));
        using var stream = File.OpenRead(path);
        var buffer = new byte[1 << 20];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            sha.AppendData(buffer, 0, read);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>The digest in a <c>.md5</c> file: either <c>MD5 (name) = hex</c> or <c>hex  name</c>.</summary>
    public static string ParseMd5File(string text)
    {
        var token = text.Contains('=') ? text[(text.LastIndexOf('=') + 1)..].Trim() : text.Trim().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        token = token.ToLowerInvariant();
        return token.Length == 32 && token.All(Uri.IsHexDigit) ? token : throw new InvalidDataException($"not an MD5 checksum file: '{text.Trim()}'");
    }

    public static void Verify(string what, string path, string expected, string actual)
    {
        if (!string.Equals(expected, actual, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"{what} of {path} is {actual}, expected {expected}: the download is corrupt or not the published file");
        }
    }
}
