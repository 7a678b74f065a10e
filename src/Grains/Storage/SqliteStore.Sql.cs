using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Cluster.Grains.Storage;

/// <summary>The store's small ADO.NET kit: the combining writer, connections and parameter binding.</summary>
public sealed partial class SqliteStore
{
    /// <summary>Most write requests combined into one transaction; bounds the latency a request can add to others.</summary>
    private const int MaxWritesPerTransaction = 256;

    private readonly Channel<WriteItem> _writes = Channel.CreateUnbounded<WriteItem>(new UnboundedChannelOptions { SingleReader = true });
    private WriteItem? _current;

    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction. SQLite has one writer, so every write goes through one
    /// thread, which combines whatever is queued into one transaction (group commit) with a savepoint per request:
    /// a request that throws rolls back only its own changes and gets the exception; the others commit.
    /// </summary>
    private Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var item = new WriteItem<T>(work);
        ObjectDisposedException.ThrowIf(!_writes.Writer.TryWrite(item), this);
        return item.Task;
    }

    private void AfterCommit(SqliteTransaction tx, Action action)
    {
        _ = tx; // only callable inside a write transaction
        _current!.AfterCommit.Add(action);
    }

    private void WriteLoop()
    {
        var batch = new List<WriteItem>(MaxWritesPerTransaction);
        while (_writes.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            while (batch.Count < MaxWritesPerTransaction && _writes.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }
            try
            {
                using var tx = _writer.BeginTransaction(deferred: false);
                foreach (var item in batch)
                {
                    _current = item;
                    tx.Save("w");
                    try
                    {
                        item.Run(_writer, tx);
                        tx.Release("w");
                    }
                    catch (Exception ex)
                    {
                        tx.Rollback("w");
                        tx.Release("w");
                        item.Error = ex;
                    }
                }
                _current = null;
                tx.Commit();
            }
            catch (Exception ex)
            {
                foreach (var item in batch)
                {
                    item.Error ??= ex; // the transaction as a whole failed: nothing of the batch is stored
                    item.AfterCommit.Clear();
                }
            }
            foreach (var item in batch)
            {
                item.Complete();
            }
        }
    }

    private abstract class WriteItem
    {
        public List<Action> AfterCommit { get; } = [];

        public Exception? Error { get; set; }

        public abstract void Run(SqliteConnection connection, SqliteTransaction transaction);

        public abstract void Complete();
    }

    private sealed class WriteItem<T>(Func<SqliteConnection, SqliteTransaction, T> work) : WriteItem
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;

        public Task<T> Task => _done.Task;

        public override void Run(SqliteConnection connection, SqliteTransaction transaction) => _result = work(connection, transaction);

        public override void Complete()
        {
            if (Error is not null)
            {
                _done.TrySetException(Error);
                return;
            }
            foreach (var action in AfterCommit)
            {
                action();
            }
            _done.TrySetResult(_result!);
        }
    }

    private SqliteConnection OpenRead()
    {
        var c = new SqliteConnection(_connectionString);
        c.Open();
        return c;
    }

    private static SqliteCommand Command(SqliteConnection c, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return cmd;
    }

    private static void Set(SqliteCommand cmd, params (string Name, object? Value)[] parameters)
    {
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters[name].Value = value ?? DBNull.Value;
        }
    }

    private static int Execute(SqliteConnection c, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(c, tx, sql, parameters);
        return cmd.ExecuteNonQuery();
    }

    private static T Scalar<T>(SqliteConnection c, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(c, tx, sql, parameters);
        return (T)Convert.ChangeType(cmd.ExecuteScalar()!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static T? ScalarOrDefault<T>(SqliteConnection c, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(c, tx, sql, parameters);
        var value = cmd.ExecuteScalar();
        if (value is null or DBNull)
        {
            return default;
        }
        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        return (T)Convert.ChangeType(value, type, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static T? ScalarOrDefault<T>(SqliteConnection c, string sql, params (string Name, object? Value)[] parameters) =>
        ScalarOrDefault<T>(c, null, sql, parameters);

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static DateTimeOffset FromUnixMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static DateTimeOffset? FromUnixMs(SqliteDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : FromUnixMs(r.GetInt64(ordinal));

    private static string? NullableString(SqliteDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);
}
