using System.Data.Common;
using System.Threading.Channels;

namespace Cluster.Storage.Writing;

/// <summary>
/// Runs write requests on one connection on one dedicated thread, combining whatever is queued into one transaction
/// (group commit) with a savepoint per request: a request that throws rolls back only its own changes and gets the
/// exception; the others commit. On SQLite this is the only way to write (one writer at a time); on PostgreSQL it
/// turns many small round trips into one. Provider-neutral: it needs only <see cref="DbTransaction.Save"/>.
/// <para>
/// A request that fails clean (<see cref="WriteAsync{T}(Func{DbConnection, DbTransaction, T}, bool, CancellationToken)"/>:
/// it throws only before it changed a row, like an ETag-checked write whose check comes first) runs without a savepoint
/// when the connection can count its changed rows. Should one throw after all with rows changed, the writer rolls the
/// transaction back and runs the whole batch again, every request in its own savepoint.
/// </para>
/// </summary>
internal sealed class CombiningWriter : IDisposable
{
    private readonly DbConnection _connection;
    private readonly Func<DbConnection, DbTransaction> _begin;
    private readonly int _maxPerTransaction;
    private readonly bool _preparedSavepoints;
    private readonly Func<DbConnection, long>? _changes;
    private readonly Channel<WriteRequest> _requests;
    private readonly Thread _thread;
    private readonly Dictionary<string, DbCommand> _statements = new(StringComparer.Ordinal);

    /// <param name="connection">An open connection owned by this writer from now on.</param>
    /// <param name="begin">Begins a write transaction (SQLite: BEGIN IMMEDIATE, so the write lock is taken up front).</param>
    /// <param name="maxPerTransaction">Most requests combined into one transaction; bounds what one request can wait for.</param>
    /// <param name="maxQueued">Most requests waiting; writers beyond it wait for room (back pressure, not memory growth).</param>
    /// <param name="threadName">Name of the writer thread.</param>
    /// <param name="preparedSavepoints">
    /// Runs the per-request savepoint statements through <see cref="Statement"/> instead of <see cref="DbTransaction.Save"/>
    /// (SQLite: the transaction's methods parse a fresh command each time, three per request).
    /// </param>
    /// <param name="changes">
    /// The rows changed so far on the connection (SQLite: sqlite3_total_changes); null when the provider has no such
    /// count, and then every request gets a savepoint.
    /// </param>
    public CombiningWriter(DbConnection connection, Func<DbConnection, DbTransaction> begin, int maxPerTransaction, int maxQueued, string threadName,
        bool preparedSavepoints = false, Func<DbConnection, long>? changes = null)
    {
        _changes = changes;
        _connection = connection;
        _begin = begin;
        _maxPerTransaction = maxPerTransaction;
        _preparedSavepoints = preparedSavepoints;
        _requests = Channel.CreateBounded<WriteRequest>(new BoundedChannelOptions(maxQueued)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _thread = new Thread(Run) { IsBackground = true, Name = threadName };
        _thread.Start();
    }

    /// <summary>Transactions committed so far (for tests and metrics).</summary>
    public long Transactions => Interlocked.Read(ref _transactions);

    private long _transactions;

    /// <summary>
    /// Runs <paramref name="work"/> inside a combined write transaction. The task completes after the transaction
    /// committed (the change is durable) or faults with the request's own exception, or with the commit's.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, T> work, CancellationToken cancellationToken = default) =>
        WriteAsync(work, failsClean: false, cancellationToken);

    /// <summary>
    /// <see cref="WriteAsync{T}(Func{DbConnection, DbTransaction, T}, CancellationToken)"/> for a request that, when
    /// <paramref name="failsClean"/>, throws only before it changed anything: it then runs without a savepoint of its
    /// own (two statements and a sub-journal fewer per request), with the same outcome for it and the others.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, T> work, bool failsClean, CancellationToken cancellationToken = default)
    {
        var request = new WriteRequest<T>(work) { FailsClean = failsClean && _changes is not null };
        try
        {
            await _requests.Writer.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(nameof(CombiningWriter));
        }
        return await request.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// The writer connection's command for <paramref name="sql"/>, created on first use and kept, so the provider
    /// prepares (SQLite: parses) the statement once per connection rather than once per request. Only for requests
    /// running on the writer thread, with constant SQL text; the caller sets every parameter before each execution and
    /// does not dispose it.
    /// </summary>
    public DbCommand Statement(DbTransaction transaction, string sql)
    {
        if (Thread.CurrentThread != _thread)
        {
            throw new InvalidOperationException("Writer statements are used only by requests running on the writer thread.");
        }
        if (!_statements.TryGetValue(sql, out var command))
        {
            command = _connection.CreateCommand();
            command.CommandText = sql;
            _statements.Add(sql, command);
        }
        command.Transaction = transaction;
        return command;
    }

    public void Dispose()
    {
        _requests.Writer.TryComplete();
        _thread.Join();
        foreach (var command in _statements.Values)
        {
            command.Dispose();
        }
        _connection.Dispose();
    }

    private void Run()
    {
        var batch = new List<WriteRequest>(_maxPerTransaction);
        while (_requests.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            while (batch.Count < _maxPerTransaction && _requests.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }
            if (!TryCommit(batch, isolateAll: false))
            {
                TryCommit(batch, isolateAll: true);
            }
            foreach (var request in batch)
            {
                request.Complete();
            }
        }
    }

    /// <summary>
    /// Runs the batch in one transaction and commits it; false (rolled back, to be run again with
    /// <paramref name="isolateAll"/>) when a request that was to fail clean threw with rows changed.
    /// </summary>
    private bool TryCommit(List<WriteRequest> batch, bool isolateAll)
    {
        foreach (var request in batch)
        {
            request.Error = null;
        }
        try
        {
            using var tx = _begin(_connection);
            foreach (var request in batch)
            {
                if (request.FailsClean && !isolateAll)
                {
                    var before = _changes!(_connection);
                    try
                    {
                        request.Run(_connection, tx);
                    }
                    catch (Exception ex) when (_changes(_connection) == before)
                    {
                        request.Error = ex;
                    }
                    catch (Exception)
                    {
                        tx.Rollback();
                        return false;
                    }
                    continue;
                }
                Savepoint(tx, SavepointStep.Save);
                try
                {
                    request.Run(_connection, tx);
                    Savepoint(tx, SavepointStep.Release);
                }
                catch (Exception ex)
                {
                    Savepoint(tx, SavepointStep.Rollback);
                    Savepoint(tx, SavepointStep.Release);
                    request.Error = ex;
                }
            }
            tx.Commit();
            Interlocked.Increment(ref _transactions);
        }
        catch (Exception ex)
        {
            foreach (var request in batch)
            {
                request.Error ??= ex; // the transaction as a whole failed: nothing of the batch is stored
            }
        }
        return true;
    }

    private void Savepoint(DbTransaction tx, SavepointStep step)
    {
        if (!_preparedSavepoints)
        {
            switch (step)
            {
                case SavepointStep.Save:
                    tx.Save("w");
                    break;
                case SavepointStep.Release:
                    tx.Release("w");
                    break;
                default:
                    tx.Rollback("w");
                    break;
            }
            return;
        }
        var sql = step switch
        {
            SavepointStep.Save => "SAVEPOINT w",
            SavepointStep.Release => "RELEASE SAVEPOINT w",
            _ => "ROLLBACK TO SAVEPOINT w",
        };
        Statement(tx, sql).ExecuteNonQuery();
    }

    private enum SavepointStep
    {
        Save,
        Release,
        Rollback,
    }

    private abstract class WriteRequest
    {
        public Exception? Error { get; set; }

        /// <summary>Throws only before it changed a row: may run without a savepoint.</summary>
        public bool FailsClean { get; init; }

        public abstract void Run(DbConnection connection, DbTransaction transaction);

        public abstract void Complete();
    }

    private sealed class WriteRequest<T>(Func<DbConnection, DbTransaction, T> work) : WriteRequest
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;

        public Task<T> Task => _done.Task;

        public override void Run(DbConnection connection, DbTransaction transaction) => _result = work(connection, transaction);

        public override void Complete()
        {
            if (Error is not null)
            {
                _done.TrySetException(Error);
            }
            else
            {
                _done.TrySetResult(_result!);
            }
        }
    }
}
