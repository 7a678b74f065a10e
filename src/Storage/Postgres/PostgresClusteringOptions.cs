namespace Cluster.Storage.Postgres;

/// <summary>Options of the PostgreSQL membership table (<c>UsePostgresClustering</c>).</summary>
public sealed class PostgresClusteringOptions
{
    /// <summary>Npgsql connection string of the cluster database. Required.</summary>
    public string ConnectionString { get; set; } = "";
}
