using Orleans.Storage;

namespace Cluster.Storage.Postgres;

/// <summary>Options of a PostgreSQL grain storage (<c>AddPostgresGrainStorage</c>), named by the storage.</summary>
public sealed class PostgresGrainStorageOptions
{
    /// <summary>Npgsql connection string; the same as the streams' so both share one pool and one writer. Required.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>How state is turned into bytes. Null: Orleans' <see cref="SystemTextJsonGrainStorageSerializer"/> (JSON).</summary>
    public IGrainStorageSerializer? GrainStorageSerializer { get; set; }
}
