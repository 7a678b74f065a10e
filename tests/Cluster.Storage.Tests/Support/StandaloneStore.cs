using System.Data.Common;
using Cluster.Storage.Streams;
using Cluster.Storage.Writing;
using Orleans.Runtime;
using Orleans.Storage;

namespace Cluster.Storage.Tests.Support;

/// <summary>An open database with its writer, grain storage and queue writer, outside any silo.</summary>
internal abstract class StandaloneStore : IDisposable
{
    public abstract CombiningWriter Writer { get; }

    public abstract IGrainStorage GrainStorage { get; }

    public abstract StreamQueueMapper Mapper { get; }

    public abstract Task<IReadOnlyList<QueueAppend>> AppendAsync(IReadOnlyList<(StreamId Stream, object[] Events)> items);

    public abstract DbConnection OpenRead();

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
