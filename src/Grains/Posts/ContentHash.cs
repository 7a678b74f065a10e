using System.Security.Cryptography;
using System.Text;

namespace Cluster.Grains.Posts;

/// <summary>
/// What makes two submissions of one post id the same post: SHA-256 of the canonical content, kind and text exactly
/// as sent (UTF-8 of "kind\ntext"; kind never holds a newline). No normalization: an edit a reader cannot see, such as
/// an inserted zero-width space, is still new content and is screened again. Metadata (createdAt, thread, replyTo,
/// accountMeta) is not content.
/// </summary>
public static class ContentHash
{
    public static string Of(string kind, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(kind + "\n" + text);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }
}
