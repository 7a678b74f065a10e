using System.Collections.Concurrent;
using System.Data.Common;
using Cluster.Grains.Decisions;
using Cluster.Storage.Postgres.Facts;
using Npgsql;
using NpgsqlTypes;

namespace Cluster.Storage.Postgres;

/// <summary>
/// Groups the grain-state writes (and the facts written with them) that arrive while the database's state writer is
/// busy into one writer request: one round trip for the state statements of the whole group, sent as one
/// <see cref="NpgsqlBatch"/>, one more for the facts of the writes that succeeded, and one transaction and one commit.
/// A stale etag is not an SQL error (the conditional UPDATE or INSERT … ON CONFLICT DO NOTHING returns no row), so the
/// writes of a group need no savepoints of their own; a stale write's facts are simply not written. An SQL error fails
/// the group, whose writers all get it and none of whose writes is stored.
/// <para>
/// One per database, shared by every grain storage and the facts store on it, and at most one group in flight: the
/// next group is queued only when the previous one starts, after the writer took its batch, so every state writer
/// transaction holds exactly one group. Its locks are taken in one order: state rows in ascending (type, key, state
/// name) ordinal order (stable, so two writes of one grain run in arrival order), then feed_seq rows in ascending
/// platform order, then posts rows <c>FOR SHARE</c> in ascending order (<see cref="PostgresFactsStore.InsertFacts"/>).
/// Two silos' groups therefore never wait on each other in a cycle.
/// </para>
/// </summary>
internal sealed class PostgresStateWrites(PostgresDatabase database)
{
    /// <summary>Most writes in one group (about 2 MB of 4 KB states): bounds one batch's size and one request's time.</summary>
    private const int MaxPerGroup = 512;

    private readonly ConcurrentQueue<Write> _pending = new();
    private int _scheduled;

    /// <summary>
    /// Stores <paramref name="state"/> if the stored etag is <paramref name="held"/> (null: only if there is no row), and
    /// with it <paramref name="facts"/>. Completes after the commit with the new etag, or with null and the stored etag
    /// when <paramref name="held"/> was stale (then the facts are not written either).
    /// </summary>
    public Task<(long? Etag, long? Stored)> WriteAsync(string grainType, string grainKey, string stateName, long? held, byte[] state, DateTimeOffset now,
        GrainFacts? facts = null)
    {
        var write = new Write(new StateRow(grainType, grainKey, stateName, held, state, now), facts);
        Enqueue(write);
        return write.Done.Task;
    }

    /// <summary>Stores facts without a state (<see cref="IDecisionStore.RecordAsync"/>); completes after the commit.</summary>
    public Task RecordAsync(GrainFacts facts)
    {
        var write = new Write(null, facts);
        Enqueue(write);
        return write.Done.Task;
    }

    private void Enqueue(Write write)
    {
        _pending.Enqueue(write);
        Schedule();
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
        List<DecisionRecord>? recorded = null;
        try
        {
            await database.StateWriter.WriteAsync((c, tx) =>
            {
                // Reset before draining: a write enqueued from here on schedules the next group itself.
                Volatile.Write(ref _scheduled, 0);
                group = Drain();
                Schedule(); // what did not fit waits in the writer's queue behind this group
                recorded = Execute(c, tx, group);
                return group.Count;
            });
            try
            {
                // After the commit and before any writer learns of it, as a store's Recorded promises.
                database.Facts?.RaiseRecorded(recorded!);
            }
            finally
            {
                foreach (var write in group!)
                {
                    write.Done.TrySetResult((write.Etag, write.Stored));
                }
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

    private List<DecisionRecord> Execute(DbConnection connection, DbTransaction transaction, List<Write> group)
    {
        var c = (NpgsqlConnection)connection;
        var tx = (NpgsqlTransaction)transaction;
        var states = group.Where(static w => w.State is not null)
            .OrderBy(static w => w.State!.GrainType, StringComparer.Ordinal)
            .ThenBy(static w => w.State!.GrainKey, StringComparer.Ordinal)
            .ThenBy(static w => w.State!.StateName, StringComparer.Ordinal)
            .ToList();
        if (states.Count > 0)
        {
            using var batch = new NpgsqlBatch(c, tx);
            foreach (var w in states)
            {
                var s = w.State!;
                var cmd = new NpgsqlBatchCommand(s.Held is null
                    ? """
                      INSERT INTO orleans_grain_state (grain_type, grain_key, state_name, etag, state, updated_at) VALUES (@t, @k, @n, 1, @s, @now)
                      ON CONFLICT DO NOTHING RETURNING etag
                      """
                    : """
                      UPDATE orleans_grain_state SET etag = etag + 1, state = @s, updated_at = @now
                      WHERE grain_type = @t AND grain_key = @k AND state_name = @n AND etag = @e RETURNING etag
                      """);
                cmd.Parameters.AddWithValue("t", s.GrainType);
                cmd.Parameters.AddWithValue("k", s.GrainKey);
                cmd.Parameters.AddWithValue("n", s.StateName);
                cmd.Parameters.AddWithValue("s", NpgsqlDbType.Bytea, s.State);
                cmd.Parameters.AddWithValue("now", s.Now);
                cmd.Parameters.AddWithValue("e", s.Held ?? 0);
                batch.BatchCommands.Add(cmd);
            }
            using var r = batch.ExecuteReader();
            foreach (var w in states)
            {
                w.Etag = r.Read() ? r.GetInt64(0) : null;
                r.NextResult();
            }
        }
        // Facts of the writes whose state is stored, and of RecordAsync; a stale write's facts go with it.
        var facts = group.Where(static w => w.Facts is not null && (w.State is null || w.Etag is not null)).Select(static w => w.Facts!).ToList();
        var recorded = facts.Count == 0
            ? []
            : (database.Facts ?? throw new InvalidOperationException("Facts were staged on a database without a facts store.")).InsertFacts(c, tx, facts);
        foreach (var w in states)
        {
            if (w.Etag is null)
            {
                w.Stored = CurrentEtag(c, tx, w.State!); // stale: rare, one round trip each for the exception's stored etag
            }
        }
        return recorded;
    }

    private static long? CurrentEtag(NpgsqlConnection c, DbTransaction tx, StateRow s)
    {
        using var cmd = PostgresDatabase.Command(c, tx, "SELECT etag FROM orleans_grain_state WHERE grain_type = @t AND grain_key = @k AND state_name = @n");
        cmd.Parameters.AddWithValue("t", s.GrainType);
        cmd.Parameters.AddWithValue("k", s.GrainKey);
        cmd.Parameters.AddWithValue("n", s.StateName);
        return cmd.ExecuteScalar() as long?;
    }

    /// <summary>One conditional state statement: the row to write and the etag it must find (null: no row).</summary>
    private sealed record StateRow(string GrainType, string GrainKey, string StateName, long? Held, byte[] State, DateTimeOffset Now);

    private sealed class Write(StateRow? state, GrainFacts? facts)
    {
        public StateRow? State => state;

        public GrainFacts? Facts => facts;

        public long? Etag { get; set; }

        public long? Stored { get; set; }

        public TaskCompletionSource<(long? Etag, long? Stored)> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
