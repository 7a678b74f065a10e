using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Cluster.Grains.Decisions;
using Cluster.Grains.Posts;
using Cluster.Ingest.Auth;
using Cluster.Ingest.Problems;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using P = Cluster.Ingest.Problems.Problems;

namespace Cluster.Ingest.Posts;

/// <summary>POST /v1/posts (asynchronous, 202 once durable) and POST /v1/screen (synchronous, final decisions).</summary>
public static class PostEndpoints
{
    /// <summary>api-v1.md: /v1/screen takes one post or an array of up to 100.</summary>
    public const int MaxScreenItems = 100;

    public static IEndpointRouteBuilder MapPosts(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").RequireAuthorization(AuthPolicies.Platform);
        group.MapPost("/posts", PostAsync);
        group.MapPost("/screen", ScreenAsync);
        return app;
    }

    private static async Task<IResult> PostAsync(HttpContext http, PostPipeline pipeline, GroupCommitter committer, IngestGate gate, IngestOptions options, IngestMetrics metrics)
    {
        if (!gate.IsOpen)
        {
            return P.Unavailable("The silo is not accepting posts (starting or shutting down).");
        }
        var platform = http.User.CallerId();
        if (MediaTypes.Check(http.Request.ContentType, MediaTypes.JsonOrNdjson, out var mediaType) is { } mediaError)
        {
            return P.UnsupportedMediaType(mediaError + " (a JSON array as application/json, or NDJSON as application/x-ndjson)");
        }
        if (mediaType is not (null or MediaTypes.Json))
        {
            return await StreamAsync(http, platform, pipeline, committer, options, metrics);
        }

        var (status, body, error) = await BodyReader.ReadAsync(http.Request, options.MaxBodyBytes);
        if (status != BodyReader.Status.Ok)
        {
            return status == BodyReader.Status.TooLarge ? P.TooLarge(error) : P.InvalidBody(error);
        }
        using (body)
        {
            var items = BodyReader.Split(body!.Sequence, out var root, out error);
            if (items is null)
            {
                return P.InvalidBody(error);
            }
            if (root != JsonTokenType.StartArray)
            {
                return P.Field("body", "must be a JSON array of posts (or send NDJSON as application/x-ndjson)");
            }
            var count = items.Count;
            if (count > options.MaxBatchItems)
            {
                return P.TooLarge($"the batch has {count} posts; at most {options.MaxBatchItems} per request (or stream NDJSON)");
            }
            var batch = new Batch();
            for (var index = 0; index < count; index++)
            {
                batch.AddItem(index, items[index], "item", platform, pipeline, options);
            }
            var outcomes = committer.TryCommit(batch.Posts);
            if (outcomes is null)
            {
                return P.Overloaded(http);
            }
            batch.Count(await outcomes);
            metrics.Rejected.Add(batch.Rejected.Count);
            return TypedResults.Accepted((string?)null, new PostsAccepted(batch.Accepted, batch.Duplicates, batch.Rejected));
        }
    }

    /// <summary>
    /// NDJSON: one post a line, committed in chunks as the stream arrives, so memory is bounded by one chunk whatever
    /// the stream's length. A bad line is rejected alone, by its 0-based line number.
    /// </summary>
    private static async Task<IResult> StreamAsync(HttpContext http, string platform, PostPipeline pipeline, GroupCommitter committer, IngestOptions options, IngestMetrics metrics)
    {
        BodyReader.SetLimit(http, options.MaxStreamBytes);
        var maxLine = options.MaxTextLength * 4L + 64 * 1024; // worst-case UTF-8 text plus the other fields
        var reader = http.Request.BodyReader;
        var batch = new Batch();
        var line = 0;
        var skipping = false;
        while (true)
        {
            ReadResult read;
            try
            {
                read = await reader.ReadAsync(http.RequestAborted);
            }
            catch (BadHttpRequestException ex)
            {
                // Over the stream limit or broken framing: answered with what was committed, not logged as an error.
                return Partial(ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? P.TooLarge(ex.Message) : P.InvalidBody(ex.Message), batch);
            }
            var buffer = read.Buffer;
            while (BodyReader.TryReadLine(ref buffer, out var bytes))
            {
                if (skipping)
                {
                    skipping = false; // the rest of an overlong line
                }
                else if (!IsBlank(bytes))
                {
                    if (line >= options.MaxStreamItems)
                    {
                        reader.AdvanceTo(buffer.Start, buffer.End);
                        return P.TooLarge($"the stream has more than {options.MaxStreamItems} lines; nothing after line {line - 1} was read");
                    }
                    batch.AddLine(line, bytes, platform, pipeline, options);
                }
                line++;
                if (batch.Posts.Count >= options.StreamChunk && await CommitChunkAsync(committer, batch) is false)
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    return Overloaded(http, batch);
                }
            }
            if (buffer.Length > maxLine)
            {
                if (!skipping)
                {
                    batch.Reject(line, $"line: longer than {maxLine} bytes");
                    skipping = true;
                }
                buffer = buffer.Slice(buffer.End);
            }
            if (read.IsCompleted)
            {
                if (!skipping && !IsBlank(buffer))
                {
                    batch.AddLine(line, buffer, platform, pipeline, options); // a last line without a newline
                }
                reader.AdvanceTo(buffer.End);
                break;
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
        if (await CommitChunkAsync(committer, batch) is false)
        {
            return Overloaded(http, batch);
        }
        metrics.Rejected.Add(batch.Rejected.Count);
        return TypedResults.Accepted((string?)null, new PostsAccepted(batch.Accepted, batch.Duplicates, batch.Rejected));
    }

    private static async Task<bool> CommitChunkAsync(GroupCommitter committer, Batch batch)
    {
        var outcomes = committer.TryCommit(batch.Posts);
        if (outcomes is null)
        {
            return false;
        }
        batch.Count(await outcomes);
        batch.Posts.Clear();
        return true;
    }

    private static IResult Overloaded(HttpContext http, Batch batch)
    {
        var problem = P.Overloaded(http);
        problem.ProblemDetails.Extensions["accepted"] = batch.Accepted;
        problem.ProblemDetails.Extensions["duplicates"] = batch.Duplicates;
        return problem;
    }

    /// <summary>A stream cut short by its framing or size: the problem says what the committed chunks held.</summary>
    private static IResult Partial(ProblemHttpResult problem, Batch batch)
    {
        problem.ProblemDetails.Extensions["accepted"] = batch.Accepted;
        problem.ProblemDetails.Extensions["duplicates"] = batch.Duplicates;
        return problem;
    }

    private static async Task<IResult> ScreenAsync(
        HttpContext http, PostPipeline pipeline, GroupCommitter committer, DecisionWaiters waiters, IDecisionStore decisions, IngestGate gate, IngestOptions options)
    {
        if (!gate.IsOpen)
        {
            return P.Unavailable("The silo is not accepting posts (starting or shutting down).");
        }
        var platform = http.User.CallerId();
        if (MediaTypes.Check(http.Request.ContentType, MediaTypes.JsonOnly, out _) is { } mediaError)
        {
            return P.UnsupportedMediaType(mediaError);
        }
        var (status, body, error) = await BodyReader.ReadAsync(http.Request, options.MaxBodyBytes);
        if (status != BodyReader.Status.Ok)
        {
            return status == BodyReader.Status.TooLarge ? P.TooLarge(error) : P.InvalidBody(error);
        }
        using (body)
        {
            var items = BodyReader.Split(body!.Sequence, out var root, out error);
            if (items is null)
            {
                return P.InvalidBody(error);
            }
            var batch = new Batch();
            if (root == JsonTokenType.StartObject)
            {
                batch.AddItem(0, items[0], "item", platform, pipeline, options);
                if (batch.Rejected.Count == 1)
                {
                    var (field, message) = SplitField(batch.Rejected[0].Error);
                    return P.Field(field == "item" ? "body" : field, message);
                }
            }
            else if (root == JsonTokenType.StartArray)
            {
                if (items.Count > MaxScreenItems)
                {
                    return P.TooLarge($"at most {MaxScreenItems} posts per /v1/screen request");
                }
                for (var index = 0; index < items.Count; index++)
                {
                    batch.AddItem(index, items[index], "item", platform, pipeline, options);
                }
            }
            else
            {
                return P.Field("body", "must be a post object or an array of posts");
            }

            var waits = batch.Posts.Select(p => waiters.Arm(platform, p.Post.PostId)).ToArray();
            try
            {
                var committing = committer.TryCommit(batch.Posts);
                if (committing is null)
                {
                    return P.Overloaded(http);
                }
                var outcomes = await committing;
                var results = new Task<DecisionRecord>[outcomes.Length];
                for (var i = 0; i < outcomes.Length; i++)
                {
                    results[i] = outcomes[i] == AppendOutcome.Duplicate
                        ? ExistingAsync(decisions, platform, batch.Posts[i].Post.PostId, waits[i], http.RequestAborted)
                        : waits[i];
                }
                var decided = await Task.WhenAll(results).WaitAsync(options.ScreenTimeout, http.RequestAborted);
                return TypedResults.Ok(new ScreenResponse(decided.Select(ScreenResult.From).ToList(), batch.Rejected));
            }
            catch (TimeoutException)
            {
                return P.Timeout("The posts are accepted but were not decided in time; read their decisions from /v1/decisions.");
            }
            finally
            {
                foreach (var p in batch.Posts)
                {
                    waiters.Disarm(platform, p.Post.PostId);
                }
            }
        }
    }

    /// <summary>A resubmitted post answers with the decision in force; if it is still in the inbox, with the one to come.</summary>
    private static async Task<DecisionRecord> ExistingAsync(IDecisionStore decisions, string platform, string postId, Task<DecisionRecord> pending, CancellationToken cancellationToken) =>
        await decisions.GetLatestAsync(platform, postId, cancellationToken) ?? await pending;

    private static (string Field, string Message) SplitField(string error)
    {
        var colon = error.IndexOf(": ", StringComparison.Ordinal);
        return colon < 0 ? ("body", error) : (error[..colon], error[(colon + 2)..]);
    }

    private static bool IsBlank(ReadOnlySequence<byte> bytes)
    {
        foreach (var segment in bytes)
        {
            foreach (var b in segment.Span)
            {
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
                {
                    return false;
                }
            }
        }
        return true;
    }

    /// <summary>The accepted posts of a request waiting for commit, and the running per-item tally.</summary>
    private sealed class Batch
    {
        public List<PostAppend> Posts { get; } = [];

        public List<RejectedItem> Rejected { get; } = [];

        public int Accepted { get; private set; }

        public int Duplicates { get; private set; }

        public void Add(int index, JsonElement item, string platform, PostPipeline pipeline, IngestOptions options)
        {
            if (PostReader.TryRead(item, options.MaxTextLength, out var post, out var error))
            {
                Posts.Add(pipeline.Prepare(platform, post!));
            }
            else
            {
                Reject(index, error);
            }
        }

        public void AddLine(int index, ReadOnlySequence<byte> bytes, string platform, PostPipeline pipeline, IngestOptions options)
        {
            if (!BodyReader.IsUtf8(bytes))
            {
                Reject(index, "line: not valid UTF-8");
                return;
            }
            AddItem(index, bytes, "line", platform, pipeline, options);
        }

        /// <summary>
        /// One element of an array or one NDJSON line (<paramref name="unit"/>), checked before it is parsed so a deep
        /// or invalid-UTF-16 item is rejected alone, naming its field.
        /// </summary>
        public void AddItem(int index, ReadOnlySequence<byte> bytes, string unit, string platform, PostPipeline pipeline, IngestOptions options)
        {
            var outcome = JsonInput.Check(bytes, PostReader.MaxDepth, out var field, out var error);
            if (outcome != JsonInput.Outcome.Ok)
            {
                Reject(index, outcome == JsonInput.Outcome.NotJson ? unit + ": not valid JSON" : $"{(field.Length == 0 ? unit : field)}: {error}");
                return;
            }
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = PostReader.MaxDepth });
            Add(index, document.RootElement, platform, pipeline, options);
        }

        public void Reject(int index, string error) => Rejected.Add(new RejectedItem(index, error));

        public void Count(AppendOutcome[] outcomes)
        {
            foreach (var o in outcomes)
            {
                if (o == AppendOutcome.Accepted)
                {
                    Accepted++;
                }
                else
                {
                    Duplicates++;
                }
            }
        }
    }
}
