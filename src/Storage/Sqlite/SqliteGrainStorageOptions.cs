using Orleans.Storage;

namespace Cluster.Storage.Sqlite;

/// <summary>Options of a SQLite grain storage (<c>AddSqliteGrainStorage</c>), named by the storage.</summary>
public sealed class SqliteGrainStorageOptions
{
    /// <summary>The database file; the same file as the streams' so both share one writer. Required.</summary>
    public string DatabasePath { get; set; } = "";

    /// <summary>
    /// How state is turned into bytes. Null: Orleans' <see cref="SystemTextJsonGrainStorageSerializer"/> (JSON; its
    /// options carry the grains' source-generated contexts).
    /// </summary>
    public IGrainStorageSerializer? GrainStorageSerializer { get; set; }
}
