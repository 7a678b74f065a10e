using Npgsql;

namespace Cluster.Storage.Postgres;

/// <summary>
/// Brings a database's component (the providers' tables, <see cref="PostgresSchema"/>; the facts,
/// <see cref="Facts.PostgresFactsSchema"/>) to its newest version: one transaction holding
/// <c>pg_advisory_xact_lock(PostgresSchema.MigrationLock)</c>, so of two silos starting together one migrates and the
/// other waits and then finds nothing to do. A component migrated by a newer build is refused.
/// </summary>
internal static class PostgresMigrator
{
    public static void Migrate(NpgsqlDataSource dataSource) => Migrate(dataSource, PostgresSchema.Component, PostgresSchema.Migrations);

    /// <param name="migrations">Scripts in order; the stored version of <paramref name="component"/> is the count applied.</param>
    public static void Migrate(NpgsqlDataSource dataSource, string component, IReadOnlyList<string> migrations)
    {
        using var c = dataSource.OpenConnection();
        using var tx = c.BeginTransaction();
        Execute(c, tx, "SELECT pg_advisory_xact_lock(@lock)", ("lock", PostgresSchema.MigrationLock));
        Execute(c, tx, "CREATE TABLE IF NOT EXISTS orleans_storage_schema (component text PRIMARY KEY, version integer NOT NULL)");
        using var read = new NpgsqlCommand("SELECT version FROM orleans_storage_schema WHERE component = @c", c, tx);
        read.Parameters.AddWithValue("c", component);
        var stored = read.ExecuteScalar() is int v ? v : 0;
        if (stored > migrations.Count)
        {
            throw new InvalidOperationException(
                $"The database {c.Database} was migrated by a newer build ({component} schema {stored}, this build knows up to {migrations.Count}).");
        }
        for (var i = stored; i < migrations.Count; i++)
        {
            Execute(c, tx, migrations[i]);
        }
        Execute(c, tx, """
            INSERT INTO orleans_storage_schema (component, version) VALUES (@c, @v)
            ON CONFLICT (component) DO UPDATE SET version = excluded.version
            """, ("c", component), ("v", migrations.Count));
        tx.Commit();
    }

    private static void Execute(NpgsqlConnection c, NpgsqlTransaction tx, string sql, params (string Name, object Value)[] parameters)
    {
        using var cmd = new NpgsqlCommand(sql, c, tx);
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }
        cmd.ExecuteNonQuery();
    }
}
