using Cluster.Grains.Accounts;
using Cluster.Grains.Decisions;
using Cluster.Grains.Posts;
using Cluster.Grains.Streams;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Cluster.Ingest.Posts;

/// <summary>
/// The group commit's store when the "posts" stream's queues are not in the facts database (Orleans' Azure queues).
/// The facts store stores the posts in its one transaction, without stream rows; then every accepted post's event goes
/// to its stream through Orleans' stream producer, one queue message per event, and the call completes only once every
/// message is stored. So a 202 still means the post and its event are durable, only in two stores and two steps.
/// <para>
/// Between the steps nothing is atomic: a crash, or a produce that fails, leaves posts stored without their events, and
/// their request fails (no 202). The platform's retry finds them stored, so they come back as duplicates; a duplicate
/// whose version has no decision yet has its event produced again (the AccountGrain's (post id, version) mark makes a
/// second event for one version harmless). A duplicate that is decided produces nothing: its event is not produced
/// twice by routine resubmissions.
/// </para>
/// </summary>
public sealed partial class StreamProducingPostStore(
    IPostStore facts, IDecisionStore decisions, Func<IStreamProvider> streamProvider, ILogger<StreamProducingPostStore> logger) : IPostStore
{
    /// <summary>
    /// Streams produced to at once; one stream's events go one after another, in order, so a queue holds a post's
    /// versions in the order they were accepted. Each message is one request to the queue service (milliseconds): a
    /// commit of 4,000 posts over many accounts takes about 4,000 / 32 round trips, not thousands of requests at once.
    /// </summary>
    private const int ProduceConcurrency = 32;

    private IStreamProvider? _provider;

    public async Task<AppendOutcome[]> AppendPostsAsync(IReadOnlyList<PostAppend> posts, CancellationToken cancellationToken)
    {
        var stored = new PostAppend[posts.Count];
        for (var i = 0; i < posts.Count; i++)
        {
            stored[i] = posts[i].Enqueue ? posts[i] with { Enqueue = false } : posts[i];
        }
        var outcomes = await facts.AppendPostsAsync(stored, cancellationToken);

        // Per stream in arrival order (an edit after its first version), streams side by side.
        var streams = new Dictionary<string, List<(PostSubmitted Event, bool IfUndecided)>>();
        var seen = new HashSet<(string, string, int)>();
        var count = 0;
        for (var i = 0; i < posts.Count; i++)
        {
            if (!posts[i].Enqueue)
            {
                continue;
            }
            var e = posts[i].Event with { Account = outcomes[i].Account, Version = outcomes[i].Version };
            // A repeat of a version this batch accepted (or already checks) needs no event of its own.
            if (!seen.Add((e.Platform, e.PostId, e.Version)))
            {
                continue;
            }
            var key = PostStreams.Key(e.Platform, e.Account);
            if (!streams.TryGetValue(key, out var list))
            {
                streams[key] = list = [];
            }
            list.Add((e, !outcomes[i].IsAccepted));
            count++;
        }
        if (count == 0)
        {
            return outcomes;
        }

        var provider = _provider ??= streamProvider();
        var produced = 0;
        try
        {
            await Parallel.ForEachAsync(streams, new ParallelOptions { MaxDegreeOfParallelism = ProduceConcurrency, CancellationToken = cancellationToken },
                async (pair, ct) =>
                {
                    var stream = provider.GetStream<PostSubmitted>(StreamId.Create(PostStreams.Namespace, pair.Key));
                    foreach (var (e, ifUndecided) in pair.Value)
                    {
                        if (ifUndecided && await decisions.GetLatestAsync(e.Platform, e.PostId, ct) is { } latest && latest.Version >= e.Version)
                        {
                            continue;
                        }
                        await stream.OnNextAsync(e);
                        Interlocked.Increment(ref produced);
                    }
                });
        }
        catch (Exception ex)
        {
            LogProduceFailed(logger, ex, posts.Count, Volatile.Read(ref produced), count);
            throw;
        }
        return outcomes;
    }

    public Task<PostRecord?> GetPostAsync(string platform, string postId, CancellationToken cancellationToken) =>
        facts.GetPostAsync(platform, postId, cancellationToken);

    [LoggerMessage(2001, LogLevel.Error,
        "{Posts} posts are stored but only {Produced} of their {Events} stream events were produced; the request fails, and its retry produces the events of the versions not yet decided")]
    private static partial void LogProduceFailed(ILogger logger, Exception exception, int posts, int produced, int events);
}
