using System.Data.Common;
using Cluster.Storage.Streams;
using Cluster.Storage.Writing;
using Orleans.Runtime;
using Orleans.Storage;

namespace Cluster.Storage.Tests.Support;

/// <summary>An open database with its writer, grain storage and queue writer, outside any silo.</summary>
internal abstract class StandaloneStore : IDisposable
{
    /// <summary>The writer of stream appends.</summary>
    public abstract CombiningWriter Writer { get; }

    /// <summary>The writer of grain state: the same as <see cref="Writer"/> on SQLite, a second connection on PostgreSQL.</summary>
    public abstract CombiningWriter StateWriter { get; }

    public abstract IGrainStorage GrainStorage { get; }

    public abstract StreamQueueMapper Mapper { get; }

    public abstract Task<IReadOnlyList<QueueAppend>> AppendAsync(IReadOnlyList<(StreamId Stream, object[] Events)> items);

    public abstract DbConnection OpenRead();

    /// <summary>Opens the facts store on this database, appending to the standalone queue writer's queues.</summary>
    public abstract FactsStores OpenFacts(TimeProvider time);

    public abstract void Dispose();

    public List<T> Query<T>(string sql)
    {
        using var c = OpenRead();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        var list = new List<T>();
        while (r.Read())
        {
            list.Add(r.GetFieldValue<T>(0));
        }
        return list;
    }

    /// <summary>Runs one statement through the writer (parameters named with @).</summary>
    public Task<int> ExecuteAsync(string sql, params (string Name, object Value)[] parameters) =>
        Writer.WriteAsync((c, tx) =>
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            cmd.Transaction = tx;
            foreach (var (name, value) in parameters)
            {
                var p = cmd.CreateParameter();
                p.ParameterName = name;
                p.Value = value;
                cmd.Parameters.Add(p);
            }
            return cmd.ExecuteNonQuery();
        });
}
