using System.Buffers.Binary;
using System.Buffers.Text;

namespace Cluster.Silo.Decisions;

/// <summary>
/// The wire form of a feed position: "c_" and the position's 8 bytes (big-endian) in base64url. A position counts
/// only the calling platform's decisions, so a cursor says nothing about other platforms; clients treat it as opaque
/// and only hand back what they were given. Position 0 is the start of the feed.
/// </summary>
internal static class FeedCursor
{
    private const string Prefix = "c_";
    private const int EncodedLength = 11; // 8 bytes of base64url without padding

    public static string Format(long position)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, position);
        return Prefix + Base64Url.EncodeToString(bytes);
    }

    /// <summary>
    /// False for anything this type did not format, except "0": clients written against older builds start their feed
    /// with after=0, and the start of the feed reveals nothing. Other numeric cursors of older builds were global
    /// positions and are refused, since honouring them would let a platform probe the other platforms' volume.
    /// </summary>
    public static bool TryParse(string? text, out long position)
    {
        position = 0;
        if (text == "0")
        {
            return true;
        }
        if (text is null || text.Length != Prefix.Length + EncodedLength || !text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }
        Span<byte> bytes = stackalloc byte[9];
        if (Base64Url.DecodeFromChars(text.AsSpan(Prefix.Length), bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != 8)
        {
            return false;
        }
        position = BinaryPrimitives.ReadInt64BigEndian(bytes);
        return position >= 0 && Format(position) == text; // one spelling per position
    }
}
