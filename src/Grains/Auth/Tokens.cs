using System.Security.Cryptography;
using System.Text;

namespace Cluster.Grains.Auth;

/// <summary>
/// Bearer tokens: 256 random bits, shown once. Only the SHA-256 of a token is stored; a fast hash is right here
/// because the token itself has full entropy (no dictionary to attack, unlike a password).
/// </summary>
public static class Tokens
{
    public static string New(string prefix) =>
        prefix + "_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
