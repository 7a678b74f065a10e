using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Cluster.Ingest.Problems;

/// <summary>
/// Checks JSON text before anything binds it, naming the path of what is wrong: nesting beyond a depth, and escaped
/// lone surrogates (<c>"\ud800"</c>), which System.Text.Json accepts while parsing but throws on when the string is
/// read. Checking first keeps bad input a 4xx naming its field instead of an exception.
/// </summary>
internal static class JsonInput
{
    public enum Outcome : byte
    {
        Ok,
        NotJson,
        TooDeep,
        LoneSurrogate,
    }

    /// <summary>
    /// Reads every token of <paramref name="json"/>. <paramref name="field"/> is the path of the offending value
    /// ("text", "accountMeta.verified", "queues[2]"), or empty for the root.
    /// </summary>
    public static Outcome Check(ReadOnlySequence<byte> json, int maxDepth, out string field, out string error)
    {
        // Almost every body is fine: a pass that allocates nothing answers for those, and only a body with a problem
        // is read again to name the field (which allocates the property names along the path).
        if (IsClean(json, maxDepth))
        {
            field = "";
            error = "";
            return Outcome.Ok;
        }
        return Locate(json, maxDepth, out field, out error);
    }

    /// <summary>True when the JSON is well formed, within the depth and free of lone surrogates; false for anything else.</summary>
    private static bool IsClean(ReadOnlySequence<byte> json, int maxDepth)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = int.MaxValue });
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray when reader.CurrentDepth >= maxDepth:
                        return false;
                    case JsonTokenType.String or JsonTokenType.PropertyName when reader.ValueIsEscaped && HasLoneSurrogate(ref reader):
                        return false;
                }
            }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static Outcome Locate(ReadOnlySequence<byte> json, int maxDepth, out string field, out string error)
    {
        // No reader depth limit: the depth is checked here, so an overly deep value is reported with its field.
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = int.MaxValue });
        var path = new List<Segment>();
        try
        {
            while (reader.Read())
            {
                var token = reader.TokenType;
                if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    path.RemoveAt(path.Count - 1);
                    continue;
                }
                if (token == JsonTokenType.PropertyName)
                {
                    if (reader.ValueIsEscaped && HasLoneSurrogate(ref reader))
                    {
                        path[^1] = new Segment("", -1); // the object holding the name, not its previous property
                        return Fail(Outcome.LoneSurrogate, path, "has a property name with an escaped lone surrogate (invalid UTF-16)", out field, out error);
                    }
                    path[^1] = new Segment(reader.GetString(), -1);
                    continue;
                }
                if (path.Count > 0 && path[^1].Name is null)
                {
                    path[^1] = new Segment(null, path[^1].Index + 1); // the next element of an array
                }
                if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    if (reader.CurrentDepth >= maxDepth)
                    {
                        // The top-level property is named (or the root): a path 16 levels deep would not help anyone fix it.
                        var top = path.Count > 0 && path[0].Name is { Length: > 0 } ? path.GetRange(0, 1) : [];
                        return Fail(Outcome.TooDeep, top, $"nested deeper than {maxDepth} levels", out field, out error);
                    }
                    path.Add(new Segment(token == JsonTokenType.StartObject ? "" : null, -1));
                }
                else if (token == JsonTokenType.String && reader.ValueIsEscaped && HasLoneSurrogate(ref reader))
                {
                    return Fail(Outcome.LoneSurrogate, path, "contains an escaped lone surrogate (invalid UTF-16)", out field, out error);
                }
            }
        }
        catch (JsonException ex)
        {
            field = "";
            error = "not valid JSON: " + ex.Message;
            return Outcome.NotJson;
        }
        field = "";
        error = "";
        return Outcome.Ok;
    }

    private static Outcome Fail(Outcome outcome, List<Segment> path, string message, out string field, out string error)
    {
        var text = new StringBuilder();
        foreach (var s in path)
        {
            if (s.Name is null)
            {
                text.Append('[').Append(s.Index).Append(']');
            }
            else if (s.Name.Length > 0)
            {
                text.Append(text.Length > 0 ? "." : "").Append(s.Name);
            }
        }
        field = text.ToString();
        error = message;
        return outcome;
    }

    /// <summary>True if the escaped string's \u escapes leave a high surrogate unpaired or a low surrogate alone.</summary>
    private static bool HasLoneSurrogate(ref Utf8JsonReader reader)
    {
        ReadOnlySpan<byte> raw = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
        var pendingHigh = false;
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] != (byte)'\\')
            {
                if (pendingHigh)
                {
                    return true;
                }
                continue;
            }
            i++; // the reader has validated the escapes: a letter follows, and \u has four hex digits
            if (raw[i] != (byte)'u')
            {
                if (pendingHigh)
                {
                    return true;
                }
                continue;
            }
            var unit = Hex(raw.Slice(i + 1, 4));
            i += 4;
            if (unit is >= 0xD800 and <= 0xDBFF)
            {
                if (pendingHigh)
                {
                    return true;
                }
                pendingHigh = true;
            }
            else if (unit is >= 0xDC00 and <= 0xDFFF)
            {
                if (!pendingHigh)
                {
                    return true;
                }
                pendingHigh = false;
            }
            else if (pendingHigh)
            {
                return true;
            }
        }
        return pendingHigh;
    }

    private static int Hex(ReadOnlySpan<byte> digits)
    {
        var value = 0;
        foreach (var d in digits)
        {
            value = (value << 4) | (d <= '9' ? d - '0' : (d | 0x20) - 'a' + 10);
        }
        return value;
    }

    /// <summary>One level of the path: a property (its name; empty before the first) or an array element (Name null).</summary>
    private readonly record struct Segment(string? Name, int Index);
}
