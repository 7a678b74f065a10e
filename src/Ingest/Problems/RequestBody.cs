using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Cluster.Ingest.Posts;
using Microsoft.AspNetCore.Http;
using P = Cluster.Ingest.Problems.Problems;

namespace Cluster.Ingest.Problems;

/// <summary>
/// Reads a small JSON request body into <typeparamref name="T"/> with a source-generated contract. Unlike
/// minimal-API implicit binding, every failure is a problem whose errors map names the field
/// (<c>$.max</c> → <c>max</c>), the Content-Type or the body.
/// </summary>
internal static class RequestBody
{
    /// <summary>Admin and review bodies are a few hundred bytes; a megabyte leaves room for long queue lists.</summary>
    public const long MaxBytes = 1024 * 1024;

    public const int MaxDepth = 16;

    /// <summary>The body as <typeparamref name="T"/>, or the problem to answer. An empty body is <paramref name="empty"/>, or an error if that is null.</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> type, T? empty = null)
        where T : class
    {
        if (MediaTypes.Check(request.ContentType, MediaTypes.JsonOnly, out _) is { } mediaError)
        {
            return (null, P.UnsupportedMediaType(mediaError));
        }
        var (status, body, error) = await BodyReader.ReadAsync(request, MaxBytes);
        if (status != BodyReader.Status.Ok)
        {
            return (null, status == BodyReader.Status.TooLarge ? P.TooLarge(error) : P.InvalidBody(error));
        }
        T? value;
        IResult? problem;
        using (body)
        {
            (value, problem) = Deserialize(body!.Sequence, type);
        }
        return problem is not null ? (null, problem)
            : value is not null ? (value, null)
            : empty is not null ? (empty, null)
            : (null, P.Field("body", "required: a JSON object"));
    }

    private static (T? Value, IResult? Problem) Deserialize<T>(ReadOnlySequence<byte> bytes, JsonTypeInfo<T> type)
        where T : class
    {
        if (IsBlank(bytes))
        {
            return (null, null);
        }
        var outcome = JsonInput.Check(bytes, MaxDepth, out var path, out var error);
        if (outcome == JsonInput.Outcome.NotJson)
        {
            return (null, P.InvalidBody("the body is " + error));
        }
        if (outcome != JsonInput.Outcome.Ok)
        {
            return (null, P.Field(path.Length == 0 ? "body" : path, error));
        }
        var reader = new Utf8JsonReader(bytes);
        try
        {
            return (JsonSerializer.Deserialize(ref reader, type), null);
        }
        catch (JsonException ex)
        {
            var field = FieldOf(ex.Path);
            return (null, P.Field(field, "must be " + Describe(type, field)));
        }
    }

    /// <summary>"$.thresholds['a b'].review" → "thresholds.a b.review"; "$" → "body".</summary>
    private static string FieldOf(string? path)
    {
        var field = (path ?? "$").TrimStart('$').Replace("['", ".", StringComparison.Ordinal).Replace("']", "", StringComparison.Ordinal).TrimStart('.');
        return field.Length == 0 ? "body" : field;
    }

    /// <summary>What the contract expects at <paramref name="field"/>, found by walking the type's metadata.</summary>
    private static string Describe(JsonTypeInfo root, string field)
    {
        var info = root;
        if (field != "body")
        {
            foreach (var name in field.Split('.'))
            {
                var bracket = name.IndexOf('[', StringComparison.Ordinal);
                var property = bracket < 0 ? name : name[..bracket];
                var next = info.Kind switch
                {
                    JsonTypeInfoKind.Object => info.Properties.FirstOrDefault(p => string.Equals(p.Name, property, StringComparison.OrdinalIgnoreCase))?.PropertyType,
                    JsonTypeInfoKind.Dictionary => info.ElementType,
                    _ => null,
                };
                if (next is null)
                {
                    return "a valid value";
                }
                info = info.Options.GetTypeInfo(next);
                for (var i = bracket; i >= 0 && info.ElementType is not null; i = name.IndexOf('[', i + 1))
                {
                    info = info.Options.GetTypeInfo(info.ElementType);
                }
            }
        }
        var clr = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        return info.Kind switch
        {
            JsonTypeInfoKind.Object or JsonTypeInfoKind.Dictionary => "a JSON object",
            JsonTypeInfoKind.Enumerable => "a JSON array",
            _ when clr == typeof(string) => "a string",
            _ when clr == typeof(bool) => "true or false",
            _ when clr == typeof(int) || clr == typeof(long) => "an integer in range",
            _ when clr == typeof(double) => "a number",
            _ => "a valid value",
        };
    }

    private static bool IsBlank(ReadOnlySequence<byte> bytes)
    {
        foreach (var segment in bytes)
        {
            foreach (var b in segment.Span)
            {
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
                {
                    return false;
                }
            }
        }
        return true;
    }
}
