using System.Threading.Channels;
using Cluster.Grains.Posts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cluster.Ingest.Posts;

/// <summary>
/// Turns many concurrent ingest requests into few transactions: whatever queued while the previous commit ran goes
/// into the next one, the post rows and the "posts" stream rows of everything accepted in one SQLite transaction. A
/// request is answered only after the transaction holding its posts committed; when it fails, the request's task faults
/// with <see cref="CommitFailedException"/> (503). The queue is bounded in posts; when it is full, <see cref="TryCommit"/>
/// refuses and the endpoint answers 429.
/// </summary>
public sealed partial class GroupCommitter(IPostStore store, IngestOptions options, IngestMetrics metrics, ILogger<GroupCommitter> logger)
    : BackgroundService
{
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private int _pendingPosts;

    public int PendingPosts => Volatile.Read(ref _pendingPosts);

    /// <summary>Null when the queue is full (the caller answers 429); otherwise the outcome of each post, once durable.</summary>
    public Task<AppendOutcome[]>? TryCommit(IReadOnlyList<PostAppend> posts)
    {
        if (posts.Count == 0)
        {
            return Task.FromResult(Array.Empty<AppendOutcome>());
        }
        if (Interlocked.Add(ref _pendingPosts, posts.Count) > options.MaxPendingPosts)
        {
            Interlocked.Add(ref _pendingPosts, -posts.Count);
            metrics.Throttled.Add(1);
            return null;
        }
        var pending = new Pending(posts, new TaskCompletionSource<AppendOutcome[]>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            Interlocked.Add(ref _pendingPosts, -posts.Count);
            return Task.FromException<AppendOutcome[]>(new CommitFailedException("The group commit has stopped.", null));
        }
        return pending.Done.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var group = new List<Pending>();
        var posts = new List<PostAppend>();
        // The loop ends when the writer is completed on stop and everything queued has been committed.
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            group.Clear();
            posts.Clear();
            while (posts.Count < options.MaxCommitPosts && _queue.Reader.TryRead(out var next))
            {
                group.Add(next);
                posts.AddRange(next.Posts);
            }
            try
            {
                var outcomes = await store.AppendPostsAsync(posts, CancellationToken.None);
                var offset = 0;
                foreach (var pending in group)
                {
                    pending.Done.SetResult(outcomes[offset..(offset + pending.Posts.Count)]);
                    offset += pending.Posts.Count;
                }
                var accepted = outcomes.Count(o => o.IsAccepted);
                metrics.Accepted.Add(accepted);
                metrics.Duplicates.Add(outcomes.Length - accepted);
                metrics.CommitSize.Record(posts.Count);
            }
            catch (Exception ex)
            {
                // Not acknowledged (the store may still have committed it if only the answer was lost): the requests are
                // answered 503 and the platforms retry them, a stored post then counting as a duplicate.
                LogCommitFailed(logger, ex, posts.Count);
                var failed = new CommitFailedException("The group commit failed; none of its posts is acknowledged.", ex);
                foreach (var pending in group)
                {
                    pending.Done.TrySetException(failed);
                }
            }
            finally
            {
                Interlocked.Add(ref _pendingPosts, -posts.Count);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
        if (ExecuteTask is not null)
        {
            await ExecuteTask.WaitAsync(cancellationToken);
        }
    }

    [LoggerMessage(2000, LogLevel.Error, "Group commit of {Posts} posts failed; their requests are answered 503 and none of them is acknowledged")]
    private static partial void LogCommitFailed(ILogger logger, Exception exception, int posts);

    private sealed record Pending(IReadOnlyList<PostAppend> Posts, TaskCompletionSource<AppendOutcome[]> Done);
}
