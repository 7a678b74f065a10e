using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Cluster.Ingest.Posts;

/// <summary>Reads a whole JSON body under a size bound, checks that it is UTF-8, and splits a batch into its items.</summary>
public static class BodyReader
{
    public enum Status : byte
    {
        Ok,
        TooLarge,
        InvalidUtf8,
        InvalidJson,
    }

    /// <summary>Reads the whole body, at most <paramref name="maxBytes"/>, into a pooled buffer and checks that it is UTF-8.</summary>
    public static async Task<(Status Status, Buffered? Body, string Error)> ReadAsync(HttpRequest request, long maxBytes)
    {
        if (request.ContentLength > maxBytes)
        {
            return (Status.TooLarge, null, $"the body has {request.ContentLength} bytes; at most {maxBytes}");
        }
        SetLimit(request.HttpContext, maxBytes);
        var reader = request.BodyReader;
        while (true)
        {
            ReadResult read;
            try
            {
                read = await reader.ReadAsync(request.HttpContext.RequestAborted);
            }
            catch (BadHttpRequestException ex)
            {
                // The server's own body limit or broken framing: the client's fault, answered rather than logged.
                return (ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? Status.TooLarge : Status.InvalidJson, null, "the body cannot be read: " + ex.Message);
            }
            if (read.Buffer.Length > maxBytes)
            {
                reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                return (Status.TooLarge, null, $"the body is over {maxBytes} bytes");
            }
            if (read.IsCompleted)
            {
                var body = new Buffered(read.Buffer);
                reader.AdvanceTo(read.Buffer.End);
                if (!Utf8.IsValid(body.Span))
                {
                    body.Dispose();
                    return (Status.InvalidUtf8, null, "the body is not valid UTF-8");
                }
                return (Status.Ok, body, "");
            }
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    /// <summary>
    /// The elements of a top-level JSON array, each as its own bytes, so that one bad element (too deep, a lone
    /// surrogate) fails alone. The array itself is read without a depth limit: the body's size bounds it, and a deep
    /// element is then one item's error rather than the batch's. A root that is not an array is the only element;
    /// <paramref name="root"/> tells which. Null with <paramref name="error"/> if the body is not JSON.
    /// </summary>
    public static List<ReadOnlySequence<byte>>? Split(ReadOnlySequence<byte> body, out JsonTokenType root, out string error)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = int.MaxValue });
        var items = new List<ReadOnlySequence<byte>>();
        root = JsonTokenType.None;
        error = "";
        try
        {
            if (!reader.Read())
            {
                error = "the body is empty";
                return null;
            }
            root = reader.TokenType;
            if (root == JsonTokenType.StartArray)
            {
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(Element(body, ref reader));
                }
            }
            else
            {
                items.Add(Element(body, ref reader));
            }
            if (reader.Read())
            {
                error = "the body is not valid JSON: more than one value";
                return null;
            }
            return items;
        }
        catch (JsonException ex)
        {
            error = "the body is not valid JSON: " + ex.Message;
            return null;
        }
    }

    private static ReadOnlySequence<byte> Element(ReadOnlySequence<byte> body, ref Utf8JsonReader reader)
    {
        var start = reader.TokenStartIndex;
        reader.Skip();
        return body.Slice(start, reader.BytesConsumed - start);
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

    /// <summary>A whole request body in one pooled array, returned to the pool on dispose.</summary>
    public sealed class Buffered : IDisposable
    {
        private byte[]? _array;

        public Buffered(ReadOnlySequence<byte> bytes)
        {
            Length = (int)bytes.Length;
            _array = ArrayPool<byte>.Shared.Rent(Length);
            bytes.CopyTo(_array);
        }

        public int Length { get; }

        public ReadOnlySpan<byte> Span => _array.AsSpan(0, Length);

        public ReadOnlySequence<byte> Sequence => new(_array ?? throw new ObjectDisposedException(nameof(Buffered)), 0, Length);

        public void Dispose()
        {
            if (_array is { } array)
            {
                _array = null;
                ArrayPool<byte>.Shared.Return(array);
            }
        }
    }
}
