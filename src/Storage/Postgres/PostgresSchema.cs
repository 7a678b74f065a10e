namespace Cluster.Storage.Postgres;

/// <summary>
/// The tables of the Orleans providers on PostgreSQL, as numbered migrations. <see cref="PostgresMigrator"/> applies the
/// ones above the stored version at start, under an advisory lock, so silos starting together do not race. Names match
/// the SQLite tables where the two share a shape; the facts tables are elsewhere and use other names.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>The component row in <c>orleans_storage_schema</c>.</summary>
    public const string Component = "orleans-providers";

    /// <summary>
    /// Key of <c>pg_advisory_xact_lock</c> for migrations: the first eight bytes of "cluster1" as a big-endian integer,
    /// fixed so that every build takes the same lock.
    /// </summary>
    public const long MigrationLock = 0x636C757374657231;

    /// <summary>Migrations in order; the stored version is the count applied. Never edit one that has shipped: add one.</summary>
    public static readonly string[] Migrations =
    [
        """
        -- Last sequence handed out per (provider, queue). Taken with UPDATE … RETURNING inside the appending transaction,
        -- queues in ascending order: the row lock is held to commit, so per queue the commit order is the sequence order
        -- and a reader never passes a row that commits later (a bigserial hands numbers out before commit).
        CREATE TABLE queue_seq (
            provider text NOT NULL,
            queue integer NOT NULL,
            last bigint NOT NULL,
            PRIMARY KEY (provider, queue)
        );

        -- One row per stream event. delivered_at is set only while a retention keeps delivered rows around.
        CREATE TABLE stream_message (
            provider text NOT NULL,
            queue integer NOT NULL,
            seq bigint NOT NULL,
            stream_ns text NOT NULL,
            stream_key text NOT NULL,
            payload bytea NOT NULL,
            enqueued_at timestamptz NOT NULL,
            delivered_at timestamptz,
            PRIMARY KEY (provider, queue, seq)
        );

        -- Grain state. A cleared state keeps its row (state NULL) so the etag never goes back.
        CREATE TABLE orleans_grain_state (
            grain_type text NOT NULL,
            grain_key text NOT NULL,
            state_name text NOT NULL,
            etag bigint NOT NULL,
            state bytea,
            updated_at timestamptz NOT NULL,
            PRIMARY KEY (grain_type, grain_key, state_name)
        );

        -- Membership: one version row per cluster, changed by every membership mutation in the same transaction
        -- (Orleans' compare-and-swap on the table version), and one row per silo incarnation.
        CREATE TABLE orleans_membership_version (
            cluster_id text PRIMARY KEY,
            version integer NOT NULL,
            etag bigint NOT NULL,
            updated_at timestamptz NOT NULL
        );

        CREATE TABLE orleans_membership (
            cluster_id text NOT NULL REFERENCES orleans_membership_version (cluster_id) ON DELETE CASCADE,
            address text NOT NULL,
            port integer NOT NULL,
            generation integer NOT NULL,
            silo_name text NOT NULL,
            host_name text NOT NULL,
            status integer NOT NULL,
            proxy_port integer NOT NULL,
            suspect_times text,
            start_time timestamptz NOT NULL,
            i_am_alive_time timestamptz NOT NULL,
            etag bigint NOT NULL,
            PRIMARY KEY (cluster_id, address, port, generation)
        );
        """,
        """
        -- Leases of Orleans' lease-based queue balancer (PostgresLeaseProvider): one row per (category, resource key), for
        -- the balancer one per stream queue ("posts-17"). token is the holder's, NULL once released; owner the silo that
        -- holds it; acquired_at and expires_at are on the database clock (now()), so silo clocks never decide who holds a
        -- queue. version counts the row's changes. Every holder rewrites its rows each renew period: the free space left on
        -- each page keeps those updates heap-only (no index entry per renewal).
        CREATE TABLE IF NOT EXISTS orleans_lease (
            category text NOT NULL,
            resource_key text NOT NULL,
            token text,
            owner text,
            acquired_at timestamptz NOT NULL,
            expires_at timestamptz NOT NULL,
            version bigint NOT NULL,
            PRIMARY KEY (category, resource_key)
        ) WITH (fillfactor = 50);
        """,
    ];

    public static int Version => Migrations.Length;
}
