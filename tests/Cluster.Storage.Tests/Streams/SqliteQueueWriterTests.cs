using Cluster.Storage.Tests.Support;

namespace Cluster.Storage.Tests.Streams;

public sealed class SqliteQueueWriterTests : QueueWriterContract
{
    private readonly SqliteBackend _backend;

    public SqliteQueueWriterTests()
        : this(new SqliteBackend())
    {
    }

    private SqliteQueueWriterTests(SqliteBackend backend)
        : base(backend) => _backend = backend;

    [Fact]
    public void The_file_is_private_to_its_user()
    {
        using var db = _backend.OpenStandalone();
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_backend.Path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(_backend.Path)!));
        Assert.Equal("wal", db.Query<string>("PRAGMA journal_mode").Single());
    }
}
