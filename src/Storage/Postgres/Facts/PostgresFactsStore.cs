using Cluster.Grains.Decisions;
using Cluster.Grains.Platforms;
using Cluster.Grains.Posts;
using Cluster.Grains.Review;
using Orleans.Runtime;

namespace Cluster.Storage.Postgres.Facts;

/// <summary>
/// The facts of cluster mode (posts, decisions, review items, verdicts, admin data) in the PostgreSQL database of the
/// stream queues and grain state, with the semantics of the embedded store (Sqlite/Facts/SqliteFactsStore) and
/// PostgreSQL's locking in place of SQLite's single writer:
/// <list type="bullet">
/// <item>A group commit writes its post rows and their stream rows in one transaction of the appending writer
/// (<see cref="PostgresDatabase.Writer"/>, through <see cref="PostgresQueueWriter.Append"/>), so a 202 means both are
/// durable on whichever silo answered.</item>
/// <item>Decisions and review items are written by the state writer (<see cref="PostgresStateWrites"/>): with the
/// AccountGrain's state in one transaction when staged through the grain storage (<see cref="IStagedFacts"/>), alone
/// through <see cref="RecordAsync"/>. Feed positions are allocated in that transaction.</item>
/// <item>Review and admin statements are short transactions of their own on pooled connections; claims take items
/// with <c>FOR UPDATE SKIP LOCKED</c>, so concurrent reviewers on any silo never wait on, nor get, each other's items.</item>
/// </list>
/// Row locks of one transaction are taken in one order (docs/storage.md, "Facts on PostgreSQL"), so two silos' writes
/// cannot deadlock. Split by feature over partial files: posts, decisions, review, admin; the schema in <see cref="PostgresFactsSchema"/>.
/// </summary>
internal sealed partial class PostgresFactsStore : IPostStore, IDecisionStore, IReviewStore, IAdminStore
{
    private readonly PostgresDatabase _database;
    private readonly PostgresQueueWriter _queue;
    private readonly TimeProvider _time;

    public PostgresFactsStore(PostgresDatabase database, PostgresQueueWriter queue, TimeProvider time)
    {
        if (!ReferenceEquals(queue.Database, database))
        {
            throw new ArgumentException(
                "The facts store and its stream provider's queue writer must use one connection string: posts and their stream rows commit together.",
                nameof(queue));
        }
        _database = database;
        _queue = queue;
        _time = time;
        PostgresMigrator.Migrate(database.DataSource, PostgresFactsSchema.Component, PostgresFactsSchema.Migrations);
        // The grain storage on this database writes staged account facts through this store (PostgresGrainStorage.TryStage).
        database.Facts = this;
    }

    private static StreamId StreamOf(string platform, string account) =>
        StreamId.Create(Grains.Streams.PostStreams.Namespace, Grains.Streams.PostStreams.Key(platform, account));
}
