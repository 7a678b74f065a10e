using Cluster.Grains.Decisions;
using Cluster.Grains.Platforms;
using Cluster.Grains.Posts;
using Cluster.Grains.Review;
using Microsoft.Data.Sqlite;
using Orleans.Runtime;

namespace Cluster.Storage.Sqlite.Facts;

/// <summary>
/// The facts of the embedded silo (posts, decisions, review items, verdicts, admin data) in the same SQLite file as the
/// stream queues and grain state, written through the same <see cref="SqliteDatabase.Writer"/>: one writer thread that
/// combines concurrent requests (group commits, grain effects, state writes, queue acknowledgements, review claims) into
/// one transaction with a savepoint per request. A group commit writes its post rows and their queue rows in one such
/// request, so a 202 means both are durable. Reads use pooled connections and never wait for the writer.
/// Split by feature over partial files: posts, decisions, review, admin; the schema and its migration in <see cref="FactsSchema"/>.
/// </summary>
public sealed partial class SqliteFactsStore : IPostStore, IDecisionStore, IReviewStore, IAdminStore
{
    private readonly SqliteDatabase _database;
    private readonly SqliteQueueWriter _queue;
    private readonly TimeProvider _time;

    internal SqliteFactsStore(SqliteDatabase database, SqliteQueueWriter queue, TimeProvider time)
    {
        _database = database;
        _queue = queue;
        _time = time;
        // The grain storage on this file writes staged account facts through this store (SqliteGrainStorage.TryStage).
        database.Facts = this;
        // Schema and migration run as one request on the writer, before anything else can write.
        WriteAsync((c, tx) =>
        {
            FactsSchema.Migrate(c, tx, this);
            return 0;
        }, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>Bytes the WAL file is truncated back to after a checkpoint resets it.</summary>
    public const long WalSizeLimit = SqliteDatabase.WalSizeLimit;

    public string Path => _database.Path;

    private static StreamId StreamOf(string platform, string account) =>
        StreamId.Create(Grains.Streams.PostStreams.Namespace, Grains.Streams.PostStreams.Key(platform, account));
}
