using System.Text.Json;
using Cluster.Grains.Accounts;

namespace Cluster.Ingest.Posts;

/// <summary>
/// Validates one post of a batch. An error names the field, so a platform can fix the item and resend only it. The
/// element must have passed <see cref="Problems.JsonInput.Check"/> (depth, lone surrogates) first.
/// </summary>
public static class PostReader
{
    public const int MaxIdLength = 128;

    /// <summary>Deepest nesting of one post. A post needs three levels (item, accountMeta, value); 16 leaves room for extra fields.</summary>
    public const int MaxDepth = 16;

    /// <summary>The id rule of docs/api.md "Ids", shared by ingest and the path of GET /v1/accounts/{account}.</summary>
    public const string IdRule = "ids are 1–128 UTF-16 code units without whitespace, control characters, '/' or '\\', and not '.' or '..'";

    private static readonly string[] Kinds = ["post", "comment", "message", "profile", "username"];

    public static bool TryRead(JsonElement e, int maxTextLength, out IncomingPost? post, out string error)
    {
        post = null;
        if (e.ValueKind != JsonValueKind.Object)
        {
            error = "item: must be a JSON object";
            return false;
        }
        if (!TryId(e, "id", out var id, out error) || !TryId(e, "account", out var account, out error))
        {
            return false;
        }
        if (!e.TryGetProperty("text", out var t) || t.ValueKind != JsonValueKind.String)
        {
            error = "text: required string";
            return false;
        }
        var text = t.GetString()!;
        if (text.Length > maxTextLength)
        {
            error = $"text: {text.Length} characters; at most {maxTextLength}";
            return false;
        }
        var kind = "post";
        if (e.TryGetProperty("kind", out var k) && k.ValueKind != JsonValueKind.Null)
        {
            kind = k.ValueKind == JsonValueKind.String ? k.GetString()! : "";
            if (!Kinds.Contains(kind))
            {
                error = "kind: must be one of post, comment, message, profile, username";
                return false;
            }
        }
        if (!TryDate(e, "createdAt", out var createdAt, out error)
            || !TryOptionalId(e, "thread", out var thread, out error)
            || !TryOptionalId(e, "replyTo", out var replyTo, out error)
            || !TryMeta(e, out var meta, out error))
        {
            return false;
        }
        post = new IncomingPost(id, account, text, kind, createdAt, thread, replyTo, meta);
        error = "";
        return true;
    }

    /// <summary>
    /// Why <paramref name="id"/> is not a valid id, or null. Ids end up in paths (GET /v1/accounts/{account}), so
    /// nothing that a path cannot carry back: no '/' or '\' (a separator to some proxies), no dot segments, no
    /// whitespace or control characters; any other Unicode is fine (account names in Chinese are real).
    /// </summary>
    public static string? IdError(string id)
    {
        if (id.Length is 0 or > MaxIdLength)
        {
            return id.Length == 0 ? "is empty" : $"is {id.Length} UTF-16 code units long";
        }
        if (id is "." or "..")
        {
            return $"must not be '{id}'";
        }
        for (var i = 0; i < id.Length; i++)
        {
            var c = id[i];
            if (char.IsControl(c))
            {
                return $"has a control character at {i}";
            }
            if (char.IsWhiteSpace(c))
            {
                return $"has whitespace at {i}";
            }
            if (c is '/' or '\\')
            {
                return $"has '{c}' at {i}";
            }
            if (char.IsHighSurrogate(c) && i + 1 < id.Length && char.IsLowSurrogate(id[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return $"has a lone surrogate at {i}";
            }
        }
        return null;
    }

    private static bool TryId(JsonElement e, string name, out string value, out string error)
    {
        value = "";
        if (!e.TryGetProperty(name, out var p) || p.ValueKind != JsonValueKind.String)
        {
            error = $"{name}: required string; {IdRule}";
            return false;
        }
        value = p.GetString()!;
        if (IdError(value) is { } reason)
        {
            error = $"{name}: {reason}; {IdRule}";
            return false;
        }
        error = "";
        return true;
    }

    private static bool TryOptionalId(JsonElement e, string name, out string? value, out string error)
    {
        value = null;
        error = "";
        if (!e.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
        {
            return true;
        }
        var ok = TryId(e, name, out var v, out error);
        value = ok ? v : null;
        return ok;
    }

    private static bool TryDate(JsonElement e, string name, out DateTimeOffset? value, out string error)
    {
        value = null;
        error = "";
        if (!e.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
        {
            return true;
        }
        if (p.ValueKind == JsonValueKind.String && p.TryGetDateTimeOffset(out var d))
        {
            value = d;
            return true;
        }
        error = $"{name}: must be an ISO-8601 date-time";
        return false;
    }

    private static bool TryMeta(JsonElement e, out AccountMeta? meta, out string error)
    {
        meta = null;
        error = "";
        if (!e.TryGetProperty("accountMeta", out var m) || m.ValueKind == JsonValueKind.Null)
        {
            return true;
        }
        if (m.ValueKind != JsonValueKind.Object)
        {
            error = "accountMeta: must be an object";
            return false;
        }
        bool? verified = null;
        int? followers = null;
        if (m.TryGetProperty("verified", out var v) && v.ValueKind != JsonValueKind.Null)
        {
            if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                error = "accountMeta.verified: must be a boolean";
                return false;
            }
            verified = v.GetBoolean();
        }
        if (m.TryGetProperty("followers", out var f) && f.ValueKind != JsonValueKind.Null)
        {
            if (f.ValueKind != JsonValueKind.Number || !f.TryGetInt32(out var n) || n < 0)
            {
                error = "accountMeta.followers: must be a non-negative integer";
                return false;
            }
            followers = n;
        }
        if (!TryDate(m, "registeredAt", out var registeredAt, out error))
        {
            error = "accountMeta." + error;
            return false;
        }
        meta = new AccountMeta(verified, followers, registeredAt);
        return true;
    }
}
