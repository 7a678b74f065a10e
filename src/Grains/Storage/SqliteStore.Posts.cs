using Cluster.Grains.Posts;
using Cluster.Grains.Runtime;
using Microsoft.Data.Sqlite;

namespace Cluster.Grains.Storage;

public sealed partial class SqliteStore
{
    public async Task<(AppendOutcome[] Outcomes, IReadOnlyCollection<PartitionId> Partitions)> AppendPostsAsync(IReadOnlyList<PostAppend> posts, CancellationToken cancellationToken)
    {
        return await WriteAsync((c, tx) =>
        {
            var outcomes = new AppendOutcome[posts.Count];
            var accepted = new List<InboxMessage>(posts.Count);
            var seen = new HashSet<(string, string)>();
            using (var exists = Command(c, tx, "SELECT 1 FROM posts WHERE platform = $pl AND post_id = $id", ("$pl", ""), ("$id", "")))
            {
                for (var i = 0; i < posts.Count; i++)
                {
                    var post = posts[i].Post;
                    Set(exists, ("$pl", post.Platform), ("$id", post.PostId));
                    var duplicate = !seen.Add((post.Platform, post.PostId)) || exists.ExecuteScalar() is not null;
                    outcomes[i] = duplicate ? AppendOutcome.Duplicate : AppendOutcome.Accepted;
                    if (!duplicate)
                    {
                        accepted.Add(posts[i].Message);
                    }
                }
            }
            var partitions = AppendInbox(c, tx, accepted);
            InsertPosts(c, tx, posts, outcomes);
            return (outcomes, partitions);
        }, cancellationToken);
    }

    public Task<PostRecord?> GetPostAsync(string platform, string postId, CancellationToken cancellationToken)
    {
        using var c = OpenRead();
        return Task.FromResult(ReadPost(c, platform, postId));
    }

    private void InsertPosts(SqliteConnection c, SqliteTransaction tx, IReadOnlyList<PostAppend> posts, AppendOutcome[] outcomes)
    {
        using var insert = Command(c, tx, """
            INSERT INTO posts (platform, post_id, account, partition, kind, text, created_at, received_at)
            VALUES ($pl, $id, $a, $p, $kind, $text, $created, $received)
            """, ("$pl", ""), ("$id", ""), ("$a", ""), ("$p", 0), ("$kind", ""), ("$text", ""), ("$created", null), ("$received", 0L));
        for (var i = 0; i < posts.Count; i++)
        {
            if (outcomes[i] != AppendOutcome.Accepted)
            {
                continue;
            }
            var (post, message) = (posts[i].Post, posts[i].Message);
            Set(insert, ("$pl", post.Platform), ("$id", post.PostId), ("$a", post.Account), ("$p", _map.Of(message.Target).Value),
                ("$kind", post.Kind), ("$text", post.Text), ("$created", post.CreatedAt?.ToUnixTimeMilliseconds()),
                ("$received", post.ReceivedAt.ToUnixTimeMilliseconds()));
            insert.ExecuteNonQuery();
        }
    }

    private static PostRecord? ReadPost(SqliteConnection c, string platform, string postId)
    {
        using var cmd = Command(c, null, "SELECT account, kind, text, created_at, received_at FROM posts WHERE platform = $pl AND post_id = $id",
            ("$pl", platform), ("$id", postId));
        using var r = cmd.ExecuteReader();
        return r.Read()
            ? new PostRecord(platform, postId, r.GetString(0), r.GetString(1), r.GetString(2), FromUnixMs(r, 3), FromUnixMs(r.GetInt64(4)))
            : null;
    }
}
