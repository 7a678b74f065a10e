namespace Cluster.Storage.Tests.Support;

/// <summary>A fresh directory per test holding the database file; deleted afterwards.</summary>
public sealed class TempDatabase : IDisposable
{
    public TempDatabase()
    {
        Directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cluster-storage-tests", Guid.NewGuid().ToString("N"));
        Path = System.IO.Path.Combine(Directory, "data", "cluster.db");
    }

    public string Directory { get; }

    public string Path { get; }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
