namespace Cluster.Storage.Sqlite;

/// <summary>
/// The tables of the Orleans providers. They share one file with the facts (today's store uses <c>inbox</c>,
/// <c>grain_state</c> …), so every name here is distinct from those.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>Bumped when a table changes; <see cref="SqliteDatabase"/> refuses a file written by a newer build.</summary>
    public const int Version = 1;

    public const string Create = """
        CREATE TABLE IF NOT EXISTS orleans_storage_schema (component TEXT PRIMARY KEY, version INTEGER NOT NULL);

        -- Last sequence handed out per (provider, queue). Allocated inside the appending transaction, queues in
        -- ascending order, so per queue the commit order is the sequence order and a reader never passes a row that
        -- commits later.
        CREATE TABLE IF NOT EXISTS queue_seq (
            provider TEXT NOT NULL,
            queue INTEGER NOT NULL,
            last INTEGER NOT NULL,
            PRIMARY KEY (provider, queue)
        ) WITHOUT ROWID;

        -- One row per stream event. delivered_at is set only while a retention keeps delivered rows around.
        CREATE TABLE IF NOT EXISTS stream_message (
            provider TEXT NOT NULL,
            queue INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            stream_ns TEXT NOT NULL,
            stream_key TEXT NOT NULL,
            payload BLOB NOT NULL,
            enqueued_at INTEGER NOT NULL,
            delivered_at INTEGER,
            PRIMARY KEY (provider, queue, seq)
        ) WITHOUT ROWID;

        -- Grain state. A cleared state keeps its row (state NULL) so the etag never goes back: a stale activation
        -- holding an old etag cannot write after a clear and re-create.
        CREATE TABLE IF NOT EXISTS orleans_grain_state (
            grain_type TEXT NOT NULL,
            grain_key TEXT NOT NULL,
            state_name TEXT NOT NULL,
            etag INTEGER NOT NULL,
            state BLOB,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (grain_type, grain_key, state_name)
        ) WITHOUT ROWID;
        """;
}
