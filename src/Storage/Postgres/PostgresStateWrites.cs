using System.Collections.Concurrent;
using System.Data.Common;
using Npgsql;
using NpgsqlTypes;

namespace Cluster.Storage.Postgres;

/// <summary>
/// Groups the grain-state writes that arrive while the database's writer is busy into one writer request, sent as one
/// <see cref="NpgsqlBatch"/>: one round trip for the whole group instead of three per write (a savepoint, the
/// statement, the release), and still one transaction and one commit shared with whatever else the writer combines.
/// A stale etag is not an SQL error (the conditional UPDATE or INSERT … ON CONFLICT DO NOTHING returns no row), so the
/// writes of a group need no savepoints of their own; an SQL error fails the group, whose writers all get it and none
/// of whose writes is stored. Statements run in arrival order, so two writes of one grain in one group behave as if
/// sent one after the other.
/// </summary>
internal sealed class PostgresStateWrites(PostgresDatabase database)
{
    /// <summary>Most writes in one group (about 2 MB of 4 KB states): bounds one batch's size and one request's time.</summary>
    private const int MaxPerGroup = 512;

    private readonly ConcurrentQueue<Write> _pending = new();
    private int _scheduled;

    /// <summary>
    /// Stores <paramref name="state"/> if the stored etag is <paramref name="held"/> (null: only if there is no row).
    /// Completes after the commit with the new etag, or with null and the stored etag when <paramref name="held"/> was stale.
    /// </summary>
    public Task<(long? Etag, long? Stored)> WriteAsync(string grainType, string grainKey, string stateName, long? held, byte[] state, DateTimeOffset now)
    {
        var write = new Write(grainType, grainKey, stateName, held, state, now);
        _pending.Enqueue(write);
        Schedule();
        return write.Done.Task;
    }

    private void Schedule()
    {
        if (!_pending.IsEmpty && Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            _ = RunAsync();
        }
    }

    private async Task RunAsync()
    {
        List<Write>? group = null;
        try
        {
            await database.Writer.WriteAsync((c, tx) =>
            {
                // Reset before draining: a write enqueued from here on schedules the next group itself.
                Volatile.Write(ref _scheduled, 0);
                group = Drain();
                Schedule(); // what did not fit waits in the writer's queue behind this group
                Execute(c, tx, group);
                return group.Count;
            });
            foreach (var write in group!)
            {
                write.Done.TrySetResult((write.Etag, write.Stored));
            }
        }
        catch (Exception ex)
        {
            if (group is null)
            {
                // The request never ran (the writer is gone): fail what waits, so no caller hangs.
                Volatile.Write(ref _scheduled, 0);
                group = Drain();
            }
            foreach (var write in group)
            {
                write.Done.TrySetException(ex);
            }
        }
    }

    private List<Write> Drain()
    {
        var group = new List<Write>();
        while (group.Count < MaxPerGroup && _pending.TryDequeue(out var write))
        {
            group.Add(write);
        }
        return group;
    }

    private static void Execute(DbConnection connection, DbTransaction tx, List<Write> group)
    {
        if (group.Count == 0)
        {
            return;
        }
        var c = (NpgsqlConnection)connection;
        using (var batch = new NpgsqlBatch(c, (NpgsqlTransaction)tx))
        {
            foreach (var w in group)
            {
                var cmd = new NpgsqlBatchCommand(w.Held is null
                    ? """
                      INSERT INTO orleans_grain_state (grain_type, grain_key, state_name, etag, state, updated_at) VALUES (@t, @k, @n, 1, @s, @now)
                      ON CONFLICT DO NOTHING RETURNING etag
                      """
                    : """
                      UPDATE orleans_grain_state SET etag = etag + 1, state = @s, updated_at = @now
                      WHERE grain_type = @t AND grain_key = @k AND state_name = @n AND etag = @e RETURNING etag
                      """);
                cmd.Parameters.AddWithValue("t", w.GrainType);
                cmd.Parameters.AddWithValue("k", w.GrainKey);
                cmd.Parameters.AddWithValue("n", w.StateName);
                cmd.Parameters.AddWithValue("s", NpgsqlDbType.Bytea, w.State);
                cmd.Parameters.AddWithValue("now", w.Now);
                cmd.Parameters.AddWithValue("e", w.Held ?? 0);
                batch.BatchCommands.Add(cmd);
            }
            using var r = batch.ExecuteReader();
            foreach (var w in group)
            {
                w.Etag = r.Read() ? r.GetInt64(0) : null;
                r.NextResult();
            }
        }
        foreach (var w in group)
        {
            if (w.Etag is null)
            {
                w.Stored = CurrentEtag(c, tx, w); // stale: rare, one round trip each for the exception's stored etag
            }
        }
    }

    private static long? CurrentEtag(NpgsqlConnection c, DbTransaction tx, Write w)
    {
        using var cmd = PostgresDatabase.Command(c, tx, "SELECT etag FROM orleans_grain_state WHERE grain_type = @t AND grain_key = @k AND state_name = @n");
        cmd.Parameters.AddWithValue("t", w.GrainType);
        cmd.Parameters.AddWithValue("k", w.GrainKey);
        cmd.Parameters.AddWithValue("n", w.StateName);
        return cmd.ExecuteScalar() as long?;
    }

    internal sealed class Write(string grainType, string grainKey, string stateName, long? held, byte[] state, DateTimeOffset now)
    {
        public string GrainType => grainType;

        public string GrainKey => grainKey;

        public string StateName => stateName;

        public long? Held => held;

        public byte[] State => state;

        public DateTimeOffset Now => now;

        public long? Etag { get; set; }

        public long? Stored { get; set; }

        public TaskCompletionSource<(long? Etag, long? Stored)> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
