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
        var buffer = new List<byte>(128);
        Span<byte> length = stackalloc byte[4];
        foreach (var part in (ReadOnlySpan<string>)[kind, platform, postId, version.ToString(System.Globalization.CultureInfo.InvariantCulture), extra])
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            buffer.AddRange(length);
            buffer.AddRange(bytes);
        }
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(buffer.ToArray(), hash);
        return prefix + Base32(hash[..16]);
    }

    private static string Base32(ReadOnlySpan<byte> bytes)
    {
        var chars = new StringBuilder((bytes.Length * 8 + 4) / 5);
        int bits = 0, value = 0;
        foreach (var b in bytes)
        {
            value = ((value << 8) | b) & 0xFFFF; // at most 12 bits are pending
            bits += 8;
            while (bits >= 5)
            {
                chars.Append(Alphabet[(value >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0)
        {
            chars.Append(Alphabet[(value << (5 - bits)) & 31]);
        }
        return chars.ToString();
    }
}
