using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Cluster.Ingest.Posts;

/// <summary>Reads a whole JSON body under a size bound and checks that it is UTF-8 before parsing it.</summary>
public static class BodyReader
{
    public enum Status : byte
    {
        Ok,
        TooLarge,
        InvalidUtf8,
        InvalidJson,
    }

    public static async Task<(Status Status, JsonDocument? Document, string Error)> ReadJsonAsync(HttpRequest request, long maxBytes)
    {
        if (request.ContentLength > maxBytes)
        {
            return (Status.TooLarge, null, $"the body has {request.ContentLength} bytes; at most {maxBytes}");
        }
        SetLimit(request.HttpContext, maxBytes);
        var reader = request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(request.HttpContext.RequestAborted);
            if (read.Buffer.Length > maxBytes)
            {
                reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                return (Status.TooLarge, null, $"the body is over {maxBytes} bytes");
            }
            if (read.IsCompleted)
            {
                try
                {
                    return Parse(read.Buffer);
                }
                finally
                {
                    reader.AdvanceTo(read.Buffer.End);
                }
            }
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    public static (Status Status, JsonDocument? Document, string Error) Parse(ReadOnlySequence<byte> bytes)
    {
        if (!IsUtf8(bytes))
        {
            return (Status.InvalidUtf8, null, "the body is not valid UTF-8");
        }
        try
        {
            return (Status.Ok, JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 16 }), "");
        }
        catch (JsonException ex)
        {
            return (Status.InvalidJson, null, "the body is not valid JSON: " + ex.Message);
        }
    }

    public static bool IsUtf8(ReadOnlySequence<byte> bytes)
    {
        if (bytes.IsSingleSegment)
        {
            return Utf8.IsValid(bytes.FirstSpan);
        }
        var rented = ArrayPool<byte>.Shared.Rent((int)bytes.Length);
        try
        {
            bytes.CopyTo(rented);
            return Utf8.IsValid(rented.AsSpan(0, (int)bytes.Length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public static void SetLimit(HttpContext context, long maxBytes)
    {
        var feature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
        {
            feature.MaxRequestBodySize = maxBytes;
        }
    }

    /// <summary>Takes the next complete line (without its newline) off the front of <paramref name="buffer"/>.</summary>
    public static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var newline = buffer.PositionOf((byte)'\n');
        if (newline is null)
        {
            line = default;
            return false;
        }
        line = buffer.Slice(0, newline.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
        return true;
    }
}
