using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace GenRec.AspNetCore;

/// <summary>
/// Who may call the admin endpoints (<c>/reload</c>): with a token configured, requests bearing it
/// (<c>Authorization: Bearer ...</c>, compared in constant time); without one, nobody unless the
/// service is bound to loopback only (then the local machine is trusted, as before).
/// </summary>
internal sealed class AdminGuard(string? token, bool loopbackOnly)
{
    private readonly byte[]? expected = token is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>Null when the request may proceed, else the refusal (401 without a valid token, 403 when admin is disabled).</summary>
    public RequestException? Check(HttpRequest request)
    {
        if (expected is null)
        {
            return loopbackOnly ? null : new RequestException(403, "admin endpoints are disabled: the service is not bound to loopback and no admin token is configured (--admin-token-file or GENREC_ADMIN_TOKEN)");
        }

        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        var given = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : "";

        // Hashes have one length, so the comparison's time tells nothing about the token.
        return given.Length > 0 && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), expected)
            ? null
            : new RequestException(401, "admin endpoint: missing or wrong bearer token");
    }
}
