namespace Cluster.Storage.Postgres.Facts;

/// <summary>
/// The facts tables of cluster mode, as numbered migrations of the component "facts" in <c>orleans_storage_schema</c>
/// (applied by <see cref="PostgresMigrator"/> under the same advisory lock as the providers' tables). The shapes follow
/// the embedded store's (Sqlite/Facts/FactsSchema) without its history: times are timestamptz, JSON bodies jsonb, a
/// reviewer's queues text[], and every post has its content hash. Never edit a migration that has shipped: add one.
/// </summary>
internal static class PostgresFactsSchema
{
    public const string Component = "facts";

    public static readonly string[] Migrations =
    [
        """
        -- A post's newest version; (platform, post_id, content_hash) decides duplicate / new / next version. queue is the
        -- post's "posts" stream queue, kept for operators.
        CREATE TABLE posts (
            platform text NOT NULL,
            post_id text NOT NULL,
            account text NOT NULL,
            queue integer NOT NULL,
            kind text NOT NULL,
            text text NOT NULL,
            created_at timestamptz,
            received_at timestamptz NOT NULL,
            version integer NOT NULL,
            content_hash text NOT NULL,
            PRIMARY KEY (platform, post_id)
        );

        -- Last feed position handed out per platform. Taken with INSERT … ON CONFLICT DO UPDATE … RETURNING inside the
        -- writing transaction, platforms in ascending order: the row lock is held to commit, so per platform the commit
        -- order is the position order and a feed reader never passes a decision that commits later.
        CREATE TABLE feed_seq (
            platform text PRIMARY KEY,
            last bigint NOT NULL
        );

        CREATE TABLE decisions (
            platform text NOT NULL,
            feed_pos bigint NOT NULL,
            decision_id text NOT NULL UNIQUE,
            post_id text NOT NULL,
            version integer NOT NULL,
            account text NOT NULL,
            action text NOT NULL,
            source text NOT NULL,
            reviewer text,
            decided_at timestamptz NOT NULL,
            supersedes text,
            body jsonb NOT NULL,
            PRIMARY KEY (platform, feed_pos)
        );
        CREATE INDEX decisions_by_post ON decisions (platform, post_id, feed_pos);

        CREATE TABLE review_items (
            id text PRIMARY KEY,
            platform text NOT NULL,
            account text NOT NULL,
            post_id text NOT NULL,
            version integer NOT NULL,
            queue text NOT NULL,
            priority integer NOT NULL,
            labels jsonb NOT NULL,
            machine_decision_id text NOT NULL,
            status text NOT NULL,
            claimed_by text,
            lease_until timestamptz,
            created_at timestamptz NOT NULL,
            decided_at timestamptz,
            decided_by text,
            verdict text
        );
        -- Claims and queue figures read only open items.
        CREATE INDEX review_open ON review_items (queue, priority DESC, created_at) WHERE status IN ('pending', 'claimed');
        CREATE INDEX review_by_post ON review_items (platform, post_id);

        -- Verdicts stored with their decided item, until their AccountGrain has them (Review/VerdictRedelivery).
        CREATE TABLE pending_verdicts (
            item_id text PRIMARY KEY,
            platform text NOT NULL,
            account text NOT NULL,
            payload jsonb NOT NULL,
            created_at timestamptz NOT NULL
        );
        CREATE INDEX pending_verdicts_by_age ON pending_verdicts (created_at);

        -- Secrets are stored as hashes only (Grains/Auth/Tokens).
        CREATE TABLE platforms (
            id text PRIMARY KEY,
            name text NOT NULL,
            key_hash text NOT NULL UNIQUE,
            created_at timestamptz NOT NULL
        );
        CREATE TABLE policies (
            platform text PRIMARY KEY,
            version bigint NOT NULL,
            body text NOT NULL
        );
        CREATE TABLE reviewers (
            id text PRIMARY KEY,
            name text NOT NULL,
            role text NOT NULL,
            queues text[] NOT NULL,
            token_hash text NOT NULL UNIQUE,
            created_at timestamptz NOT NULL
        );
        CREATE TABLE admin_tokens (
            token_hash text PRIMARY KEY,
            created_at timestamptz NOT NULL
        );
        -- Rumor ids are "ru-" + seq; nothing reads rumors by position, so an identity's gaps are harmless here.
        CREATE TABLE rumors (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            title text NOT NULL,
            claim text NOT NULL,
            debunk_url text NOT NULL,
            created_at timestamptz NOT NULL
        );
        CREATE TABLE lexicons (
            name text PRIMARY KEY,
            version bigint NOT NULL,
            body text NOT NULL,
            terms integer NOT NULL,
            updated_at timestamptz NOT NULL
        );
        """,
    ];
}
