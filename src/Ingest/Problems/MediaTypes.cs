using Microsoft.Net.Http.Headers;

namespace Cluster.Ingest.Problems;

/// <summary>
/// The one Content-Type check of every endpoint that reads a body: media types match case-insensitively (RFC 9110
/// §8.3.1), a charset other than UTF-8 is refused rather than read as UTF-8, and a header that does not parse is
/// refused rather than guessed at.
/// </summary>
internal static class MediaTypes
{
    public const string Json = "application/json";
    public const string Text = "text/plain";

    public static readonly string[] JsonOnly = [Json];
    public static readonly string[] JsonOrNdjson = [Json, "application/x-ndjson", "application/ndjson", "application/jsonl"];
    public static readonly string[] TextOnly = [Text];

    /// <summary>
    /// Null if <paramref name="contentType"/> is one of <paramref name="accepted"/>, with <paramref name="matched"/> the
    /// accepted spelling (null when the header is absent: the caller's default applies); otherwise the reason.
    /// </summary>
    public static string? Check(string? contentType, IReadOnlyList<string> accepted, out string? matched)
    {
        matched = null;
        if (string.IsNullOrEmpty(contentType))
        {
            return null;
        }
        if (!MediaTypeHeaderValue.TryParse(contentType, out var header) || header.MediaType.Length == 0)
        {
            return $"cannot be parsed; send {string.Join(" or ", accepted)}";
        }
        matched = accepted.FirstOrDefault(a => header.MediaType.Equals(a, StringComparison.OrdinalIgnoreCase));
        if (matched is null)
        {
            return $"{header.MediaType} is not accepted here; send {string.Join(" or ", accepted)}";
        }
        foreach (var parameter in header.Parameters)
        {
            if (parameter.Name.Equals("charset", StringComparison.OrdinalIgnoreCase))
            {
                var charset = HeaderUtilities.RemoveQuotes(parameter.Value);
                if (!charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
                {
                    matched = null;
                    return $"charset '{charset}' is not supported; the body must be UTF-8";
                }
            }
        }
        return null;
    }
}
