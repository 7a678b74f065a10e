using Cluster.Grains.Posts;
using Cluster.Grains.Review;
using Cluster.Storage.Streams;
using Npgsql;
using NpgsqlTypes;
using Orleans.Runtime;

namespace Cluster.Storage.Postgres.Facts;

internal sealed partial class PostgresFactsStore
{
    /// <summary>
    /// Stores each post id's first occurrence in the batch as version 1 unless the id is stored (returned: the ones that
    /// are new), in ascending byte order of (platform, post id). An id another silo is inserting meanwhile waits for that
    /// transaction and, once it commits, counts as stored.
    /// </summary>
    private const string InsertNewPostsSql = """
        INSERT INTO posts (platform, post_id, account, queue, kind, text, created_at, received_at, version, content_hash)
        SELECT t.platform, t.post_id, t.account, t.queue, t.kind, t.text, t.created_at, t.received_at, 1, t.content_hash
        FROM unnest(@platform, @post, @account, @queue, @kind, @text, @created, @received, @hash)
            AS t(platform, post_id, account, queue, kind, text, created_at, received_at, content_hash)
        ORDER BY t.platform COLLATE "C", t.post_id COLLATE "C"
        ON CONFLICT (platform, post_id) DO NOTHING
        RETURNING platform, post_id
        """;

    /// <summary>
    /// Every post id of the batch as stored now, locked until commit in ascending byte order (the one lock order of all
    /// facts writes, so two silos' commits cannot deadlock on posts). A second statement of the same batch, so it sees the
    /// rows the first inserted and those other transactions committed while the first waited.
    /// </summary>
    private const string LockPostsSql = """
        SELECT platform, post_id, account, version, content_hash FROM posts
        WHERE (platform, post_id) IN (SELECT * FROM unnest(@platform, @post))
        ORDER BY platform COLLATE "C", post_id COLLATE "C"
        FOR UPDATE
        """;

    /// <summary>Edited posts take their newest version; a post keeps its account, queue and first createdAt.</summary>
    private const string UpdateEditedSql = """
        UPDATE posts p SET kind = u.kind, text = u.text, created_at = COALESCE(p.created_at, u.created_at), received_at = u.received_at,
            version = u.version, content_hash = u.content_hash
        FROM unnest(@platform, @post, @kind, @text, @created, @received, @version, @hash)
            AS u(platform, post_id, kind, text, created_at, received_at, version, content_hash)
        WHERE p.platform = u.platform AND p.post_id = u.post_id
        """;

    /// <summary>An edit closes the review items still open for earlier versions of its post.</summary>
    private static readonly string SupersedeSql = $"""
        UPDATE review_items r SET status = '{ReviewQueues.Superseded}', claimed_by = NULL, lease_until = NULL
        FROM unnest(@platform, @post, @version) AS u(platform, post_id, version)
        WHERE r.platform = u.platform AND r.post_id = u.post_id AND r.version < u.version
          AND r.status IN ('{ReviewQueues.Pending}', '{ReviewQueues.Claimed}')
        """;

    /// <summary>
    /// One transaction of the appending writer: the new posts inserted and every post of the batch locked (one round
    /// trip), outcomes decided as the embedded store does (a repeat within the batch is compared with the newest content
    /// so far), edited posts updated and their open review items closed (one round trip), and the stream rows of the
    /// accepted posts appended (<see cref="PostgresQueueWriter.Append"/>). The 202 waits for this commit.
    /// </summary>
    public Task<AppendOutcome[]> AppendPostsAsync(IReadOnlyList<PostAppend> posts, CancellationToken cancellationToken)
    {
        if (posts.Count == 0)
        {
            return Task.FromResult(System.Array.Empty<AppendOutcome>());
        }
        var firsts = FirstOccurrences(posts);
        return _database.Writer.WriteAsync((c, tx) => Append((NpgsqlConnection)c, (NpgsqlTransaction)tx, posts, firsts), cancellationToken);
    }

    public async Task<PostRecord?> GetPostAsync(string platform, string postId, CancellationToken cancellationToken)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, """
            SELECT account, kind, text, created_at, received_at, content_hash, version FROM posts WHERE platform = @pl AND post_id = @id
            """, ("pl", platform), ("id", postId));
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        return await r.ReadAsync(cancellationToken)
            ? new PostRecord(platform, postId, r.GetString(0), r.GetString(1), r.GetString(2), NullableTime(r, 3), r.GetFieldValue<DateTimeOffset>(4),
                r.GetString(5), r.GetInt32(6))
            : null;
    }

    /// <summary>The group commit inside a transaction of the appending writer (tests hold one open through it).</summary>
    internal AppendOutcome[] Append(NpgsqlConnection c, NpgsqlTransaction tx, IReadOnlyList<PostAppend> posts, List<PostRecord> firsts)
    {
        var (inserted, stored) = InsertAndLock(c, tx, firsts);
        var outcomes = new AppendOutcome[posts.Count];
        var events = new List<(StreamId, object[])>(posts.Count);
        // The current version of each post, so a post repeated or edited within the batch is compared with its newest content.
        var current = new Dictionary<(string, string), Stored>();
        var edits = new Dictionary<(string, string), Edit>();
        for (var i = 0; i < posts.Count; i++)
        {
            var post = posts[i].Post;
            var key = (post.Platform, post.PostId);
            if (!current.TryGetValue(key, out var known))
            {
                // A post this batch inserted is new at its first occurrence; any other was stored before.
                known = inserted.Contains(key) ? null
                    : stored.TryGetValue(key, out var row) ? row
                    : throw new InvalidOperationException("A post neither inserted nor stored: the posts table changed under the lock.");
            }
            if (known is null)
            {
                outcomes[i] = new AppendOutcome(AppendKind.New, 1, post.Account);
            }
            else if (known.Hash == post.ContentHash)
            {
                outcomes[i] = new AppendOutcome(AppendKind.Duplicate, known.Version, known.Account);
                continue;
            }
            else
            {
                outcomes[i] = new AppendOutcome(AppendKind.Edited, known.Version + 1, known.Account);
                edits[key] = new Edit(post, outcomes[i].Version, edits.TryGetValue(key, out var earlier) ? earlier.CreatedAt ?? post.CreatedAt : post.CreatedAt);
            }
            if (posts[i].Enqueue)
            {
                var e = posts[i].Event with { Account = outcomes[i].Account, Version = outcomes[i].Version };
                events.Add((StreamOf(e.Platform, e.Account), [e]));
            }
            current[key] = new Stored(outcomes[i].Account, outcomes[i].Version, post.ContentHash);
        }
        if (edits.Count > 0)
        {
            StoreEdits(c, tx, edits.Values.ToList());
        }
        // The stream rows of the accepted posts, in this same transaction.
        if (events.Count > 0)
        {
            _queue.Append(c, tx, _queue.Prepare(events));
        }
        return outcomes;
    }

    /// <summary>Each post id's first occurrence, prepared outside the writer thread.</summary>
    internal static List<PostRecord> FirstOccurrences(IReadOnlyList<PostAppend> posts)
    {
        var seen = new HashSet<(string, string)>();
        var firsts = new List<PostRecord>(posts.Count);
        foreach (var p in posts)
        {
            if (seen.Add((p.Post.Platform, p.Post.PostId)))
            {
                firsts.Add(p.Post);
            }
        }
        return firsts;
    }

    private (HashSet<(string, string)> Inserted, Dictionary<(string, string), Stored> Stored) InsertAndLock(
        NpgsqlConnection c, NpgsqlTransaction tx, List<PostRecord> firsts)
    {
        using var batch = new NpgsqlBatch(c, tx);
        var insert = new NpgsqlBatchCommand(InsertNewPostsSql);
        var p = insert.Parameters;
        var platforms = firsts.Select(static f => f.Platform).ToArray();
        var ids = firsts.Select(static f => f.PostId).ToArray();
        AddArray(p, "platform", NpgsqlDbType.Text, platforms);
        AddArray(p, "post", NpgsqlDbType.Text, ids);
        AddArray(p, "account", NpgsqlDbType.Text, firsts.Select(static f => f.Account).ToArray());
        AddArray(p, "queue", NpgsqlDbType.Integer, firsts.Select(f => QueueOf(f.Platform, f.Account)).ToArray());
        AddArray(p, "kind", NpgsqlDbType.Text, firsts.Select(static f => f.Kind).ToArray());
        AddArray(p, "text", NpgsqlDbType.Text, firsts.Select(static f => Storable(f.Text)).ToArray());
        AddArray(p, "created", NpgsqlDbType.TimestampTz, firsts.Select(static f => Utc(f.CreatedAt)).ToArray());
        AddArray(p, "received", NpgsqlDbType.TimestampTz, firsts.Select(static f => Utc(f.ReceivedAt)).ToArray());
        AddArray(p, "hash", NpgsqlDbType.Text, firsts.Select(static f => f.ContentHash).ToArray());
        batch.BatchCommands.Add(insert);
        var lockRows = new NpgsqlBatchCommand(LockPostsSql);
        AddArray(lockRows.Parameters, "platform", NpgsqlDbType.Text, platforms);
        AddArray(lockRows.Parameters, "post", NpgsqlDbType.Text, ids);
        batch.BatchCommands.Add(lockRows);

        var inserted = new HashSet<(string, string)>();
        var stored = new Dictionary<(string, string), Stored>();
        using var r = batch.ExecuteReader();
        while (r.Read())
        {
            inserted.Add((r.GetString(0), r.GetString(1)));
        }
        r.NextResult();
        while (r.Read())
        {
            stored[(r.GetString(0), r.GetString(1))] = new Stored(r.GetString(2), r.GetInt32(3), r.GetString(4));
        }
        return (inserted, stored);
    }

    /// <summary>One batch: the edited posts' newest versions, and the open review items of their earlier versions closed.</summary>
    private static void StoreEdits(NpgsqlConnection c, NpgsqlTransaction tx, List<Edit> edits)
    {
        using var batch = new NpgsqlBatch(c, tx);
        var update = new NpgsqlBatchCommand(UpdateEditedSql);
        var p = update.Parameters;
        AddArray(p, "platform", NpgsqlDbType.Text, edits.Select(static e => e.Post.Platform).ToArray());
        AddArray(p, "post", NpgsqlDbType.Text, edits.Select(static e => e.Post.PostId).ToArray());
        AddArray(p, "kind", NpgsqlDbType.Text, edits.Select(static e => e.Post.Kind).ToArray());
        AddArray(p, "text", NpgsqlDbType.Text, edits.Select(static e => Storable(e.Post.Text)).ToArray());
        AddArray(p, "created", NpgsqlDbType.TimestampTz, edits.Select(static e => Utc(e.CreatedAt)).ToArray());
        AddArray(p, "received", NpgsqlDbType.TimestampTz, edits.Select(static e => Utc(e.Post.ReceivedAt)).ToArray());
        AddArray(p, "version", NpgsqlDbType.Integer, edits.Select(static e => e.Version).ToArray());
        AddArray(p, "hash", NpgsqlDbType.Text, edits.Select(static e => e.Post.ContentHash).ToArray());
        batch.BatchCommands.Add(update);
        var supersede = new NpgsqlBatchCommand(SupersedeSql);
        AddArray(supersede.Parameters, "platform", NpgsqlDbType.Text, edits.Select(static e => e.Post.Platform).ToArray());
        AddArray(supersede.Parameters, "post", NpgsqlDbType.Text, edits.Select(static e => e.Post.PostId).ToArray());
        AddArray(supersede.Parameters, "version", NpgsqlDbType.Integer, edits.Select(static e => e.Version).ToArray());
        batch.BatchCommands.Add(supersede);
        batch.ExecuteNonQuery();
    }

    /// <summary>The post's stream queue, kept in the row for operators.</summary>
    private int QueueOf(string platform, string account) =>
        StreamQueueMapper.QueueOf(System.Text.Encoding.UTF8.GetBytes(Grains.Streams.PostStreams.Key(platform, account)), _queue.Mapper.QueueCount);

    /// <summary>What the duplicate check needs of a stored post.</summary>
    private sealed record Stored(string Account, int Version, string Hash);

    /// <summary>
    /// A post's last edit in the batch (its newest content and version) and the first createdAt any edit gave, which
    /// fills a stored post's missing one as applying the edits one by one would.
    /// </summary>
    private sealed record Edit(PostRecord Post, int Version, DateTimeOffset? CreatedAt);
}
