using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Cluster.Grains.Posts;

/// <summary>
/// Decision and review item ids, derived from (platform, post id, version) and what the id names, so a replayed turn
/// produces the same id and the store's unique key turns a second write into a no-op. The id is SHA-256 of the
/// length-prefixed parts truncated to 128 bits in lower-case base32: it reveals no count, partition or order, and
/// cannot be enumerated.
/// </summary>
public static class DerivedIds
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string MachineDecision(string platform, string postId, int version) =>
        Derive("d_", "machine", platform, postId, version, "");

    /// <summary>The human decision taken on review item <paramref name="itemId"/> (one per item).</summary>
    public static string HumanDecision(string platform, string postId, int version, string itemId) =>
        Derive("d_", "human", platform, postId, version, itemId);

    public static string ReviewItem(string platform, string postId, int version) =>
        Derive("r_", "review", platform, postId, version, "");

    private static string Derive(string prefix, string kind, string platform, string postId, int version, string extra)
    {
        Span<char> versionText = stackalloc char[11];
        version.TryFormat(versionText, out var versionLength, provider: System.Globalization.CultureInfo.InvariantCulture);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, kind);
        Append(hash, platform);
        Append(hash, postId);
        Append(hash, versionText[..versionLength]);
        Append(hash, extra);
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return Base32(prefix, digest[..16]);
    }

    /// <summary>One length-prefixed part: its UTF-8 byte count, big-endian, then the bytes.</summary>
    private static void Append(IncrementalHash hash, ReadOnlySpan<char> part)
    {
        var count = Encoding.UTF8.GetByteCount(part);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, count);
        hash.AppendData(length);
        var bytes = count <= 256 ? stackalloc byte[count] : new byte[count];
        Encoding.UTF8.GetBytes(part, bytes);
        hash.AppendData(bytes);
    }

    private static string Base32(string prefix, ReadOnlySpan<byte> bytes)
    {
        Span<char> chars = stackalloc char[prefix.Length + (bytes.Length * 8 + 4) / 5];
        prefix.CopyTo(chars);
        var n = prefix.Length;
        int bits = 0, value = 0;
        foreach (var b in bytes)
        {
            value = ((value << 8) | b) & 0xFFFF; // at most 12 bits are pending
            bits += 8;
            while (bits >= 5)
            {
                chars[n++] = Alphabet[(value >> (bits - 5)) & 31];
                bits -= 5;
            }
        }
        if (bits > 0)
        {
            chars[n++] = Alphabet[(value << (5 - bits)) & 31];
        }
        return new string(chars[..n]);
    }
}
