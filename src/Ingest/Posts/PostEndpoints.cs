using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Cluster.Grains.Accounts;
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

    /// <summary>
    /// Bytes per post assumed when a body's length is all that is known before admission: a 100-character Chinese post
    /// is about 360 bytes of JSON, so this over-reserves a little, and the reservation is corrected once counted.
    /// </summary>
    private const int BytesPerPostEstimate = 256;

    public static IEndpointRouteBuilder MapPosts(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").RequireAuthorization(AuthPolicies.Platform);
        group.MapPost("/posts", PostAsync);
        group.MapPost("/screen", ScreenAsync);
        return app;
    }

    private static async Task<IResult> PostAsync(
        HttpContext http, PostPipeline pipeline, GroupCommitter committer, IngestAdmission admission, IngestGate gate, IngestOptions options, IngestMetrics metrics)
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
            return await StreamAsync(http, platform, pipeline, committer, admission, options, metrics);
        }

        // Admission before the body is read: a refused request costs its headers only.
        using var reservation = await admission.AdmitAsync(Estimate(http, options.MaxBatchItems), http.RequestAborted);
        if (reservation is null)
        {
            return Overloaded(http, admission);
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
            reservation.Resize(count);
            var batch = new Batch();
            for (var index = 0; index < count; index++)
            {
                batch.AddItem(index, items[index], "item", platform, pipeline, options);
            }
            reservation.Resize(batch.Posts.Count);
            var outcomes = committer.TryCommit(batch.Posts);
            if (outcomes is null)
            {
                return Overloaded(http, admission);
            }
            try
            {
                batch.Count(await outcomes);
            }
            catch (CommitFailedException)
            {
                return NotStored(http);
            }
            reservation.Committed();
            metrics.Rejected.Add(batch.Rejected.Count);
            return TypedResults.Accepted((string?)null, new PostsAccepted(batch.Accepted, batch.Duplicates, batch.Rejected, batch.Edited));
        }
    }

    /// <summary>
    /// NDJSON: one post a line, committed in chunks as the stream arrives, so memory is bounded by one chunk whatever
    /// the stream's length. A bad line is rejected alone, by its 0-based line number.
    /// </summary>
    private static async Task<IResult> StreamAsync(
        HttpContext http, string platform, PostPipeline pipeline, GroupCommitter committer, IngestAdmission admission, IngestOptions options, IngestMetrics metrics)
    {
        // Each chunk is admitted before its first line is read; the first one before any of the body is.
        var chunk = await admission.AdmitAsync(Estimate(http, options.StreamChunk), http.RequestAborted);
        if (chunk is null)
        {
            return Overloaded(http, admission);
        }
        try
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
                        if (chunk is null && (chunk = await admission.AdmitAsync(options.StreamChunk, http.RequestAborted)) is null)
                        {
                            reader.AdvanceTo(buffer.Start, buffer.End);
                            return Overloaded(http, admission, batch);
                        }
                        batch.AddLine(line, bytes, platform, pipeline, options);
                    }
                    line++;
                    if (batch.Posts.Count >= options.StreamChunk)
                    {
                        var committed = await CommitChunkAsync(committer, batch, chunk!);
                        chunk!.Dispose();
                        chunk = null;
                        if (committed != Chunk.Committed)
                        {
                            reader.AdvanceTo(buffer.Start, buffer.End);
                            return Refused(http, admission, batch, committed);
                        }
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
                        if (chunk is null && (chunk = await admission.AdmitAsync(1, http.RequestAborted)) is null)
                        {
                            reader.AdvanceTo(buffer.Start, buffer.End);
                            return Overloaded(http, admission, batch);
                        }
                        batch.AddLine(line, buffer, platform, pipeline, options); // a last line without a newline
                    }
                    reader.AdvanceTo(buffer.End);
                    break;
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
            }
            if (chunk is not null && await CommitChunkAsync(committer, batch, chunk) is var last && last != Chunk.Committed)
            {
                return Refused(http, admission, batch, last);
            }
            metrics.Rejected.Add(batch.Rejected.Count);
            return TypedResults.Accepted((string?)null, new PostsAccepted(batch.Accepted, batch.Duplicates, batch.Rejected, batch.Edited));
        }
        finally
        {
            chunk?.Dispose();
        }
    }

    private static async Task<Chunk> CommitChunkAsync(GroupCommitter committer, Batch batch, IngestAdmission.Reservation chunk)
    {
        chunk.Resize(batch.Posts.Count);
        var outcomes = committer.TryCommit(batch.Posts);
        if (outcomes is null)
        {
            return Chunk.Overloaded;
        }
        try
        {
            batch.Count(await outcomes);
        }
        catch (CommitFailedException)
        {
            return Chunk.NotStored;
        }
        chunk.Committed();
        batch.Posts.Clear();
        return Chunk.Committed;
    }

    /// <summary>A stream cut short by a chunk that was not committed: 429 (queue full) or 503 (the store failed).</summary>
    private static ProblemHttpResult Refused(HttpContext http, IngestAdmission admission, Batch batch, Chunk chunk) =>
        chunk == Chunk.Overloaded ? Overloaded(http, admission, batch) : Partial(NotStored(http), batch);

    /// <summary>The group commit failed: nothing of the request (or of its last chunk) is acknowledged; retrying is safe.</summary>
    private static ProblemHttpResult NotStored(HttpContext http) =>
        P.StoreUnavailable(http, "The posts could not be stored (the store is unavailable): none of them is acknowledged (of a stream, " +
            "none after those counted in accepted and duplicates). Retry after the given delay; a post stored after all counts as a duplicate.");

    /// <summary>Posts a body is expected to carry, judged from its length alone (unknown: the most allowed).</summary>
    private static int Estimate(HttpContext http, int max) =>
        http.Request.ContentLength is { } length ? (int)Math.Clamp(length / BytesPerPostEstimate, 1, max) : max;

    private static ProblemHttpResult Overloaded(HttpContext http, IngestAdmission admission) => P.Overloaded(http, admission.RetryAfterSeconds());

    private static ProblemHttpResult Overloaded(HttpContext http, IngestAdmission admission, Batch batch) =>
        Partial(Overloaded(http, admission), batch);

    /// <summary>A stream cut short by its framing or size: the problem says what the committed chunks held.</summary>
    private static ProblemHttpResult Partial(ProblemHttpResult problem, Batch batch)
    {
        problem.ProblemDetails.Extensions["accepted"] = batch.Accepted;
        problem.ProblemDetails.Extensions["duplicates"] = batch.Duplicates;
        problem.ProblemDetails.Extensions["edited"] = batch.Edited;
        return problem;
    }

    private static async Task<IResult> ScreenAsync(
        HttpContext http, PostPipeline pipeline, GroupCommitter committer, IngestAdmission admission, IGrainFactory grains, IDecisionStore decisions,
        IngestGate gate, IngestOptions options)
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
        using var reservation = await admission.AdmitAsync(Estimate(http, MaxScreenItems), http.RequestAborted);
        if (reservation is null)
        {
            return Overloaded(http, admission);
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
            var batch = new Batch { Enqueue = false };
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

            reservation.Resize(batch.Posts.Count);
            var committing = committer.TryCommit(batch.Posts);
            if (committing is null)
            {
                return Overloaded(http, admission);
            }
            AppendOutcome[] outcomes;
            try
            {
                outcomes = await committing;
            }
            catch (CommitFailedException)
            {
                return NotStored(http);
            }
            reservation.Committed();
            try
            {
                var results = new Task<DecisionRecord>[outcomes.Length];
                for (var i = 0; i < outcomes.Length; i++)
                {
                    results[i] = InForceAsync(grains, decisions, batch.Posts[i].Event, outcomes[i], http.RequestAborted);
                }
                var decided = await Task.WhenAll(results).WaitAsync(options.ScreenTimeout, http.RequestAborted);
                return TypedResults.Ok(new ScreenResponse(decided.Select(ScreenResult.From).ToList(), batch.Rejected));
            }
            catch (TimeoutException)
            {
                return P.Timeout("The posts are accepted but were not decided in time; read their decisions from /v1/decisions.");
            }
            catch (Exception ex) when (IsStoreFailure(ex))
            {
                return P.StoreUnavailable(http, "The posts are stored, but their decisions could not be written (the store failed). Send the " +
                    "same request again after the given delay: each post is decided once, and a post decided meanwhile answers its decision.");
            }
        }
    }

    /// <summary>
    /// The decision in force for a post once its version is decided. A new version (or an edit) is decided by a call to
    /// its AccountGrain, which answers after the effects are durable. A duplicate answers the stored decision in force;
    /// when there is none (the silo stopped between storing the post and deciding it) the grain is called again, and its
    /// (post id, version) mark makes that safe: it decides the version once, or returns what it decided.
    /// </summary>
    private static async Task<DecisionRecord> InForceAsync(
        IGrainFactory grains, IDecisionStore decisions, PostSubmitted screened, AppendOutcome outcome, CancellationToken cancellationToken)
    {
        if (!outcome.IsAccepted && await decisions.GetLatestAsync(screened.Platform, screened.PostId, cancellationToken) is { } latest
            && latest.Version >= outcome.Version)
        {
            return latest;
        }
        var post = screened with { Account = outcome.Account, Version = outcome.Version };
        return await grains.GetGrain<IAccountGrain>(AccountGrain.KeyOf(post.Platform, post.Account)).DecideAsync(post);
    }

    /// <summary>
    /// A failure of the store under a decision: a grain's state write or read (Orleans wraps the provider's exception, and
    /// keeps it as the inner one across the call), a stale ETag, or a read of a stored decision. Anything else is a bug (500).
    /// </summary>
    private static bool IsStoreFailure(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is System.Data.Common.DbException or IOException or Orleans.Storage.InconsistentStateException or CommitFailedException)
            {
                return true;
            }
        }
        return false;
    }

    private enum Chunk
    {
        Committed,
        Overloaded,
        NotStored,
    }

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
        /// <summary>Whether the posts go into the "posts" stream with their commit (POST /v1/posts) or are decided by a grain call (POST /v1/screen).</summary>
        public bool Enqueue { get; init; } = true;

        public List<PostAppend> Posts { get; } = [];

        public List<RejectedItem> Rejected { get; } = [];

        public int Accepted { get; private set; }

        public int Duplicates { get; private set; }

        /// <summary>How many of <see cref="Accepted"/> were new versions of stored posts.</summary>
        public int Edited { get; private set; }

        public void Add(int index, JsonElement item, string platform, PostPipeline pipeline, IngestOptions options)
        {
            if (PostReader.TryRead(item, options.MaxTextLength, out var post, out var error))
            {
                Posts.Add(pipeline.Prepare(platform, post!, Enqueue));
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
                Accepted += o.IsAccepted ? 1 : 0;
                Duplicates += o.IsAccepted ? 0 : 1;
                Edited += o.Kind == AppendKind.Edited ? 1 : 0;
            }
        }
    }
}
