using System.Data.Common;
using Cluster.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Cluster.Storage.Tests.Writing;

/// <summary>
/// The combining writer on a real SQLite file: requests queued together share one transaction, and a request that
/// throws loses only its own rows, whether it ran in a savepoint or, failing clean, without one.
/// </summary>
public sealed class CombiningWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("writer-").FullName;
    private readonly SqliteDatabase _db;

    public CombiningWriterTests()
    {
        _db = new SqliteDatabase(Path.Combine(_dir, "w.db"));
        _db.Writer.WriteAsync((c, tx) => Run(c, tx, "CREATE TABLE t (k TEXT PRIMARY KEY)")).GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        _db.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_request_that_throws_in_its_savepoint_loses_its_rows_and_the_others_commit_in_the_same_transaction()
    {
        var (results, transactions) = await InOneBatch(
            (c, tx) => Insert(c, tx, "a"),
            (c, tx) => { Insert(c, tx, "b"); throw new InvalidOperationException("b fails"); },
            (c, tx) => Insert(c, tx, "c"));

        Assert.Equal(1, transactions);
        Assert.Null(results[0]);
        Assert.Equal("b fails", results[1]?.Message);
        Assert.Null(results[2]);
        Assert.Equal(["a", "c"], Keys());
    }

    [Fact]
    public async Task A_request_failing_clean_runs_without_a_savepoint_and_fails_alone_in_the_same_transaction()
    {
        var (results, transactions) = await InOneBatch(failsClean: true,
            (c, tx) => Insert(c, tx, "a"),
            (c, tx) => throw new InvalidOperationException("stale"),
            (c, tx) => Insert(c, tx, "c"));

        Assert.Equal(1, transactions);
        Assert.Equal("stale", results[1]?.Message);
        Assert.Null(results[0]);
        Assert.Null(results[2]);
        Assert.Equal(["a", "c"], Keys());
    }

    [Fact]
    public async Task A_request_meant_to_fail_clean_that_throws_after_changing_rows_is_rolled_back_and_the_batch_runs_again_isolated()
    {
        var runsOfA = 0;
        var (results, transactions) = await InOneBatch(failsClean: true,
            (c, tx) => { Interlocked.Increment(ref runsOfA); Insert(c, tx, "a"); },
            (c, tx) => { Insert(c, tx, "b"); throw new InvalidOperationException("after a change"); },
            (c, tx) => Insert(c, tx, "c"));

        Assert.Equal(1, transactions); // the first attempt was rolled back, not committed
        Assert.Equal(2, runsOfA);
        Assert.Equal("after a change", results[1]?.Message);
        Assert.Null(results[0]);
        Assert.Null(results[2]);
        Assert.Equal(["a", "c"], Keys());
    }

    /// <summary>
    /// Holds the writer thread in a request of its own while <paramref name="work"/> is queued, so that all of it is
    /// taken as one batch; returns each request's exception (null when it committed) and the transactions committed.
    /// </summary>
    private async Task<(Exception?[] Results, long Transactions)> InOneBatch(bool failsClean, params Action<DbConnection, DbTransaction>[] work)
    {
        using var started = new ManualResetEventSlim();
        using var hold = new ManualResetEventSlim();
        var held = _db.Writer.WriteAsync((_, _) =>
        {
            started.Set();
            return hold.Wait(TimeSpan.FromSeconds(30));
        });
        Assert.True(await Task.Run(() => started.Wait(TimeSpan.FromSeconds(30))));
        var before = _db.Writer.Transactions;
        var tasks = work.Select(w => _db.Writer.WriteAsync((c, tx) => { w(c, tx); return 0; }, failsClean)).ToArray();
        hold.Set();
        await held;
        var results = new Exception?[tasks.Length];
        for (var i = 0; i < tasks.Length; i++)
        {
            try
            {
                await tasks[i];
            }
            catch (Exception ex)
            {
                results[i] = ex;
            }
        }
        return (results, _db.Writer.Transactions - before - 1);
    }

    private Task<(Exception?[] Results, long Transactions)> InOneBatch(params Action<DbConnection, DbTransaction>[] work) =>
        InOneBatch(failsClean: false, work);

    private List<string> Keys()
    {
        using var c = _db.OpenRead();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT k FROM t ORDER BY k";
        using var r = cmd.ExecuteReader();
        var keys = new List<string>();
        while (r.Read())
        {
            keys.Add(r.GetString(0));
        }
        return keys;
    }

    private static int Run(DbConnection c, DbTransaction tx, string sql)
    {
        using var cmd = (SqliteCommand)c.CreateCommand();
        cmd.Transaction = (SqliteTransaction)tx;
        cmd.CommandText = sql;
        return cmd.ExecuteNonQuery();
    }

    private static void Insert(DbConnection c, DbTransaction tx, string key)
    {
        using var cmd = (SqliteCommand)c.CreateCommand();
        cmd.Transaction = (SqliteTransaction)tx;
        cmd.CommandText = "INSERT INTO t (k) VALUES ($k)";
        cmd.Parameters.AddWithValue("$k", key);
        cmd.ExecuteNonQuery();
    }
}
