namespace Cluster.Grains.Storage;

/// <summary>The embedded store's schema. Times are unix milliseconds. Every statement is idempotent.</summary>
internal static class SqliteSchema
{
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
        CREATE INDEX IF NOT EXISTS decisions_by_platform ON decisions (platform, cursor);
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
}
