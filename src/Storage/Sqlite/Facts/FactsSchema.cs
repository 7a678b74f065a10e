using Microsoft.Data.Sqlite;

namespace Cluster.Storage.Sqlite.Facts;

/// <summary>
/// The embedded store's schema. Times are unix milliseconds. <see cref="Create"/> is the first version's DDL (every
/// statement idempotent); <see cref="Migrate"/> then brings any file, new or written by an older build, to
/// <see cref="CurrentVersion"/>, one step per version, each step in its own transaction with its schema_version row.
/// </summary>
internal static class FactsSchema
{
    public const int CurrentVersion = 4;

    public const string Create = """
        CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);

        CREATE TABLE IF NOT EXISTS inbox_seq (partition INTEGER PRIMARY KEY, last INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS inbox (
            partition INTEGER NOT NULL, seq INTEGER NOT NULL,
            grain_type TEXT NOT NULL, grain_key TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL,
            enqueued_at INTEGER NOT NULL,
            PRIMARY KEY (partition, seq)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS partition_lease (
            partition INTEGER PRIMARY KEY, owner TEXT NOT NULL, epoch INTEGER NOT NULL, acquired_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS checkpoint (partition INTEGER PRIMARY KEY, seq INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS grain_state (
            grain_type TEXT NOT NULL, grain_key TEXT NOT NULL, partition INTEGER NOT NULL,
            last_seq INTEGER NOT NULL, state TEXT NOT NULL, updated_at INTEGER NOT NULL,
            PRIMARY KEY (grain_type, grain_key)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS dead_letters (
            partition INTEGER NOT NULL, seq INTEGER NOT NULL, grain TEXT NOT NULL, error TEXT NOT NULL, at INTEGER NOT NULL,
            PRIMARY KEY (partition, seq)) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS posts (
            platform TEXT NOT NULL, post_id TEXT NOT NULL, account TEXT NOT NULL,
            partition INTEGER NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL,
            created_at INTEGER, received_at INTEGER NOT NULL,
            PRIMARY KEY (platform, post_id)) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS decisions (
            cursor INTEGER PRIMARY KEY AUTOINCREMENT,
            decision_id TEXT NOT NULL UNIQUE, platform TEXT NOT NULL, post_id TEXT NOT NULL, account TEXT NOT NULL,
            action TEXT NOT NULL, source TEXT NOT NULL, reviewer TEXT, decided_at INTEGER NOT NULL,
            supersedes TEXT, body TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS decisions_by_post ON decisions (platform, post_id);

        CREATE TABLE IF NOT EXISTS review_items (
            id TEXT PRIMARY KEY, platform TEXT NOT NULL, account TEXT NOT NULL, post_id TEXT NOT NULL,
            queue TEXT NOT NULL, priority INTEGER NOT NULL, labels TEXT NOT NULL, machine_decision_id TEXT NOT NULL,
            status TEXT NOT NULL, claimed_by TEXT, lease_until INTEGER, created_at INTEGER NOT NULL,
            decided_at INTEGER, decided_by TEXT, verdict TEXT);
        CREATE INDEX IF NOT EXISTS review_open ON review_items (status, queue, priority DESC, created_at);

        CREATE TABLE IF NOT EXISTS platforms (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, key_hash TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS policies (platform TEXT PRIMARY KEY, version INTEGER NOT NULL, body TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS reviewers (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, queues TEXT NOT NULL,
            token_hash TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS admin_tokens (token_hash TEXT PRIMARY KEY, created_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS rumors (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL, claim TEXT NOT NULL, debunk_url TEXT NOT NULL,
            created_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS lexicons (
            name TEXT PRIMARY KEY, version INTEGER NOT NULL, body TEXT NOT NULL, terms INTEGER NOT NULL, updated_at INTEGER NOT NULL);
        """;

    /// <summary>
    /// Version 2: edited posts and ids that leak nothing. Posts keep their version and content hash (a row of an older
    /// build has none and is hashed from its stored kind and text when first compared); decisions and review items
    /// name the version they are for; each platform's decisions get their own feed position, allocated in the writing
    /// transaction from feed_seq and backfilled for old rows in their old cursor order. Old ids stay as they are.
    /// </summary>
    private const string V2 = """
        ALTER TABLE posts ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE posts ADD COLUMN content_hash TEXT;
        ALTER TABLE decisions ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE decisions ADD COLUMN feed_pos INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE review_items ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

        UPDATE decisions SET feed_pos = ranked.pos
        FROM (SELECT cursor AS c, ROW_NUMBER() OVER (PARTITION BY platform ORDER BY cursor) AS pos FROM decisions) AS ranked
        WHERE decisions.cursor = ranked.c;
        CREATE TABLE IF NOT EXISTS feed_seq (platform TEXT PRIMARY KEY, last INTEGER NOT NULL) WITHOUT ROWID;
        INSERT OR REPLACE INTO feed_seq (platform, last) SELECT platform, MAX(feed_pos) FROM decisions GROUP BY platform;

        DROP INDEX IF EXISTS decisions_by_platform;
        CREATE UNIQUE INDEX IF NOT EXISTS decisions_feed ON decisions (platform, feed_pos);
        CREATE INDEX IF NOT EXISTS review_by_post ON review_items (platform, post_id);
        """;

    /// <summary>
    /// Version 3: Orleans hosts the grains. Review verdicts wait in pending_verdicts between the decided item and their
    /// AccountGrain. The partition runtime's tables (inbox, checkpoint, grain_state, …) are emptied by
    /// <see cref="ImportLegacy"/> on every open; they stay in the file, empty, so a file can still be opened by this code
    /// whatever build wrote it.
    /// </summary>
    private const string V3 = """
        CREATE TABLE IF NOT EXISTS pending_verdicts (
            item_id TEXT PRIMARY KEY, platform TEXT NOT NULL, account TEXT NOT NULL, payload TEXT NOT NULL, created_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS pending_verdicts_by_age ON pending_verdicts (created_at);
        """;

    /// <summary>
    /// Version 4: a feed position is one more than the platform's highest stored one, read in the writing transaction
    /// (see <c>SqliteFactsStore.InsertDecisions</c>), so feed_seq is dropped: a build that still allocated from it would
    /// hand out positions already taken, and now fails on the missing table instead.
    /// </summary>
    private const string V4 = """
        DROP TABLE IF EXISTS feed_seq;
        """;

    private static readonly string[] Steps = [V2, V3, V4];

    /// <summary>
    /// Creates the tables, applies every step above the file's schema_version, and imports what the partition runtime
    /// of earlier builds left. Runs inside one write transaction on the database's writer; safe on every open.
    /// </summary>
    public static void Migrate(SqliteConnection connection, SqliteTransaction tx, SqliteFactsStore store)
    {
        Execute(connection, tx, Create);
        for (var version = Version(connection, tx); version < CurrentVersion; version++)
        {
            using var step = connection.CreateCommand();
            step.Transaction = tx;
            step.CommandText = Steps[version - 1] + "\nDELETE FROM schema_version;\nINSERT INTO schema_version (version) VALUES ($v);";
            step.Parameters.AddWithValue("$v", version + 1);
            step.ExecuteNonQuery();
        }
        store.ImportLegacy(connection, tx);
    }

    /// <summary>The file's schema version; a file of the first build has an empty schema_version table.</summary>
    private static int Version(SqliteConnection connection, SqliteTransaction tx)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT MAX(version) FROM schema_version";
        return cmd.ExecuteScalar() is long v ? (int)v : 1;
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction tx, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
