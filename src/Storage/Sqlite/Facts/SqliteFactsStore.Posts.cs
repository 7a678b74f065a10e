using Cluster.Grains.Posts;
using Cluster.Grains.Review;
using Cluster.Storage.Streams;
using Microsoft.Data.Sqlite;
using Orleans.Runtime;

namespace Cluster.Storage.Sqlite.Facts;

public sealed partial class SqliteFactsStore
{
    public async Task<AppendOutcome[]> AppendPostsAsync(IReadOnlyList<PostAppend> posts, CancellationToken cancellationToken)
    {
        IReadOnlyList<QueueAppend> appended = [];
        var outcomes = await WriteAsync((c, tx) =>
        {
            var outcomes = new AppendOutcome[posts.Count];
            var events = new List<(StreamId, object[])>(posts.Count);
            // The current version of each post this batch touched, so a post repeated or edited within the batch is
            // compared with its newest content.
            var current = new Dictionary<(string, string), Stored>();
            var read = Prepared(tx, "SELECT account, kind, text, version, content_hash FROM posts WHERE platform = $pl AND post_id = $id",
                ("$pl", ""), ("$id", ""));
            for (var i = 0; i < posts.Count; i++)
            {
                var post = posts[i].Post;
                var key = (post.Platform, post.PostId);
                if (!current.TryGetValue(key, out var stored))
                {
                    Set(read, ("$pl", post.Platform), ("$id", post.PostId));
                    using var r = read.ExecuteReader();
                    stored = r.Read()
                        ? new Stored(r.GetString(0), r.GetInt32(3), NullableString(r, 4) ?? ContentHash.Of(r.GetString(1), r.GetString(2)))
                        : null;
                }
                if (stored is null)
                {
                    outcomes[i] = new AppendOutcome(AppendKind.New, 1, post.Account);
                }
                else if (stored.Hash == post.ContentHash)
                {
                    outcomes[i] = new AppendOutcome(AppendKind.Duplicate, stored.Version, stored.Account);
                    continue;
                }
                else
                {
                    outcomes[i] = new AppendOutcome(AppendKind.Edited, stored.Version + 1, stored.Account);
                }
                if (posts[i].Enqueue)
                {
                    var e = posts[i].Event with { Account = outcomes[i].Account, Version = outcomes[i].Version };
                    events.Add((StreamOf(e.Platform, e.Account), [e]));
                }
                current[key] = new Stored(outcomes[i].Account, outcomes[i].Version, post.ContentHash);
            }
            StorePosts(tx, posts, outcomes);
            // The queue rows of the accepted posts, in this same transaction: the 202 waits for this commit.
            appended = events.Count > 0 ? _queue.Append(c, tx, _queue.Prepare(events)) : [];
            return outcomes;
        }, cancellationToken);
        _queue.Committed(appended);
        return outcomes;
    }

    public Task<PostRecord?> GetPostAsync(string platform, string postId, CancellationToken cancellationToken)
    {
        using var c = OpenRead();
        return Task.FromResult(ReadPost(c, platform, postId));
    }

    /// <summary>
    /// Inserts new posts and overwrites edited ones with their newest version; an edit closes the review items still
    /// open for earlier versions (a verdict on content the post no longer shows would supersede the new version's
    /// decision). A post keeps its account, partition and first createdAt.
    /// </summary>
    private void StorePosts(SqliteTransaction tx, IReadOnlyList<PostAppend> posts, AppendOutcome[] outcomes)
    {
        var insert = Prepared(tx, """
            INSERT INTO posts (platform, post_id, account, partition, kind, text, created_at, received_at, version, content_hash)
            VALUES ($pl, $id, $a, $p, $kind, $text, $created, $received, 1, $hash)
            """, ("$pl", ""), ("$id", ""), ("$a", ""), ("$p", 0), ("$kind", ""), ("$text", ""), ("$created", null), ("$received", 0L), ("$hash", ""));
        var update = Prepared(tx, """
            UPDATE posts SET kind = $kind, text = $text, created_at = COALESCE(created_at, $created), received_at = $received,
                version = $v, content_hash = $hash
            WHERE platform = $pl AND post_id = $id
            """, ("$pl", ""), ("$id", ""), ("$kind", ""), ("$text", ""), ("$created", null), ("$received", 0L), ("$v", 0), ("$hash", ""));
        var supersede = Prepared(tx, $"""
            UPDATE review_items SET status = '{ReviewQueues.Superseded}', claimed_by = NULL, lease_until = NULL
            WHERE platform = $pl AND post_id = $id AND version < $v AND status IN ('{ReviewQueues.Pending}', '{ReviewQueues.Claimed}')
            """, ("$pl", ""), ("$id", ""), ("$v", 0));
        for (var i = 0; i < posts.Count; i++)
        {
            var post = posts[i].Post;
            var created = post.CreatedAt?.ToUnixTimeMilliseconds();
            var received = post.ReceivedAt.ToUnixTimeMilliseconds();
            switch (outcomes[i].Kind)
            {
                case AppendKind.New:
                    Set(insert, ("$pl", post.Platform), ("$id", post.PostId), ("$a", outcomes[i].Account), ("$p", QueueOf(post.Platform, outcomes[i].Account)),
                        ("$kind", post.Kind), ("$text", post.Text), ("$created", created), ("$received", received), ("$hash", post.ContentHash));
                    insert.ExecuteNonQuery();
                    break;
                case AppendKind.Edited:
                    Set(update, ("$pl", post.Platform), ("$id", post.PostId), ("$kind", post.Kind), ("$text", post.Text), ("$created", created),
                        ("$received", received), ("$v", outcomes[i].Version), ("$hash", post.ContentHash));
                    update.ExecuteNonQuery();
                    Set(supersede, ("$pl", post.Platform), ("$id", post.PostId), ("$v", outcomes[i].Version));
                    supersede.ExecuteNonQuery();
                    break;
            }
        }
    }

    private static PostRecord? ReadPost(SqliteConnection c, string platform, string postId)
    {
        using var cmd = Command(c, null, """
            SELECT account, kind, text, created_at, received_at, version, content_hash FROM posts WHERE platform = $pl AND post_id = $id
            """, ("$pl", platform), ("$id", postId));
        using var r = cmd.ExecuteReader();
        return r.Read()
            ? new PostRecord(platform, postId, r.GetString(0), r.GetString(1), r.GetString(2), FromUnixMs(r, 3), FromUnixMs(r.GetInt64(4)),
                NullableString(r, 6) ?? ContentHash.Of(r.GetString(1), r.GetString(2)), r.GetInt32(5))
            : null;
    }

    /// <summary>The post's stream queue, kept in the row (the column was the partition in earlier builds) for operators.</summary>
    private int QueueOf(string platform, string account) =>
        StreamQueueMapper.QueueOf(System.Text.Encoding.UTF8.GetBytes(Grains.Streams.PostStreams.Key(platform, account)), _queue.Mapper.QueueCount);

    /// <summary>What the duplicate check needs of a stored post.</summary>
    private sealed record Stored(string Account, int Version, string Hash);
}
