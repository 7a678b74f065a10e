using Cluster.Storage.Streams;
using Orleans.Hosting;
using Orleans.Runtime;

namespace Cluster.Storage.Tests.Support;

/// <summary>
/// One database under test (a SQLite file or a PostgreSQL database) with the providers over it: what the contract
/// tests need to run the same cases against either. Raw SQL in the cases is written to run on both (@name parameters).
/// </summary>
internal abstract class Backend : IDisposable
{
    /// <summary>Adds the stream provider and the grain storage, both named <see cref="TestCluster.Provider"/>.</summary>
    public abstract void AddProviders(ISiloBuilder silo, TimeSpan retention, Action<ISiloPersistentStreamConfigurator> configureStream);

    /// <summary>Appends through the stream provider's writer of a running silo.</summary>
    public abstract Task<IReadOnlyList<QueueAppend>> AppendAsync(IServiceProvider silo, IReadOnlyList<(StreamId Stream, object[] Events)> items);

    public abstract long CountRows(string? where = null);

    /// <summary>The providers' parts without a silo, for tests that need exact control of the writer.</summary>
    public abstract StandaloneStore OpenStandalone(int queues = 128);

    /// <summary>A time as the backend's timestamp columns store it.</summary>
    public abstract object Timestamp(DateTimeOffset time);

    public abstract void Dispose();
}
