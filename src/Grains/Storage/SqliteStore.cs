using System.Collections.Concurrent;
using Cluster.Grains.Decisions;
using Cluster.Grains.Lexicons;
using Cluster.Grains.Platforms;
using Cluster.Grains.Posts;
using Cluster.Grains.Review;
using Cluster.Grains.Runtime;
using Microsoft.Data.Sqlite;

namespace Cluster.Grains.Storage;

/// <summary>
/// The embedded store: one SQLite file in WAL mode. SQLite has one writer at a time, so every write transaction
/// goes through one connection on one writer thread, which combines concurrent requests into one transaction; readers
/// use their own pooled connections and never wait for it.
/// Split by feature over partial files: partitions (this file), posts, decisions, review, admin.
/// </summary>
public sealed partial class SqliteStore : IPartitionStore, IPostStore, IDecisionStore, IReviewStore, IAdminStore, IDisposable
{
    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly Thread _writerThread;
    private readonly PartitionMap _map;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<int, long> _heads = new();
    private readonly ConcurrentDictionary<int, long> _checkpoints = new();

    public SqliteStore(string path, PartitionMap map, TimeProvider time)
    {
        _map = map;
        _time = time;
        CreatePrivateFile(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _writer = new SqliteConnection(_connectionString);
        _writer.Open();
        // WAL: readers do not block the writer. synchronous=NORMAL: a commit survives a crash of this process
        // (the promise of a 202); only an OS crash or power loss can drop the last transactions.
        // journal_size_limit: the WAL is checkpointed every 1000 pages (4 MiB) by default, but a burst (a long reader
        // holding back a checkpoint, a large import) leaves the file at its peak size; this truncates it back when it resets.
        Execute(_writer, null, $"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF; PRAGMA journal_size_limit={WalSizeLimit};");
        Execute(_writer, null, SqliteSchema.Create);
        SqliteSchema.Migrate(_writer);
        LoadPositions();
        _writerThread = new Thread(WriteLoop) { IsBackground = true, Name = "sqlite-writer" };
        _writerThread.Start();
    }

    /// <summary>Bytes the WAL file is truncated back to after a checkpoint resets it.</summary>
    public const long WalSizeLimit = 64L << 20;

    public string Path => _writer.DataSource;

    public void Dispose()
    {
        _writes.Writer.TryComplete();
        _writerThread.Join();
        _writer.Dispose();
        SqliteConnection.ClearAllPools();
    }

    public async Task<PartitionLease> AcquireAsync(PartitionId partition, string owner, CancellationToken cancellationToken)
    {
        return await WriteAsync((c, tx) =>
        {
            var epoch = Scalar<long>(c, tx, """
                INSERT INTO partition_lease (partition, owner, epoch, acquired_at) VALUES ($p, $o, 1, $now)
                ON CONFLICT (partition) DO UPDATE SET owner = excluded.owner, epoch = epoch + 1, acquired_at = excluded.acquired_at
                RETURNING epoch
                """, ("$p", partition.Value), ("$o", owner), ("$now", Now()));
            return new PartitionLease(partition, owner, epoch);
        }, cancellationToken);
    }

    public Task<long> LoadCheckpointAsync(PartitionId partition, CancellationToken cancellationToken)
    {
        using var c = OpenRead();
        var seq = ScalarOrDefault<long?>(c, "SELECT seq FROM checkpoint WHERE partition = $p", ("$p", partition.Value)) ?? 0;
        return Task.FromResult(seq);
    }

    public Task<IReadOnlyList<InboxEnvelope>> ReadInboxAsync(PartitionId partition, long afterSeq, int max, CancellationToken cancellationToken)
    {
        using var c = OpenRead();
        using var cmd = Command(c, null, """
            SELECT seq, grain_type, grain_key, kind, payload, enqueued_at FROM inbox
            WHERE partition = $p AND seq > $after ORDER BY seq LIMIT $max
            """, ("$p", partition.Value), ("$after", afterSeq), ("$max", max));
        using var r = cmd.ExecuteReader();
        var list = new List<InboxEnvelope>();
        while (r.Read())
        {
            list.Add(new InboxEnvelope(
                partition,
                r.GetInt64(0),
                new InboxMessage(new GrainId(r.GetString(1), r.GetString(2)), r.GetString(3), r.GetString(4)),
                FromUnixMs(r.GetInt64(5))));
        }
        return Task.FromResult<IReadOnlyList<InboxEnvelope>>(list);
    }

    public Task<GrainRecord?> LoadGrainAsync(GrainId id, CancellationToken cancellationToken)
    {
        using var c = OpenRead();
        using var cmd = Command(c, null, "SELECT partition, last_seq, state FROM grain_state WHERE grain_type = $t AND grain_key = $k",
            ("$t", id.Type), ("$k", id.Key));
        using var r = cmd.ExecuteReader();
        GrainRecord? record = r.Read() ? new GrainRecord(id, new PartitionId(r.GetInt32(0)), r.GetInt64(1), r.GetString(2)) : null;
        return Task.FromResult(record);
    }

    public async Task FlushAsync(PartitionFlush flush, CancellationToken cancellationToken)
    {
        await WriteAsync((c, tx) =>
        {
            var lease = flush.Lease;
            var held = ScalarOrDefault<long?>(c, tx, "SELECT epoch FROM partition_lease WHERE partition = $p AND owner = $o AND epoch = $e",
                ("$p", lease.Partition.Value), ("$o", lease.Owner), ("$e", lease.Epoch));
            if (held is null)
            {
                throw new LeaseLostException(lease);
            }

            var now = Now();
            using (var state = Command(c, tx, """
                INSERT INTO grain_state (grain_type, grain_key, partition, last_seq, state, updated_at) VALUES ($t, $k, $p, $s, $state, $now)
                ON CONFLICT (grain_type, grain_key) DO UPDATE SET last_seq = excluded.last_seq, state = excluded.state, updated_at = excluded.updated_at
                """, ("$t", ""), ("$k", ""), ("$p", 0), ("$s", 0L), ("$state", ""), ("$now", now)))
            {
                foreach (var g in flush.States)
                {
                    Set(state, ("$t", g.Id.Type), ("$k", g.Id.Key), ("$p", g.Partition.Value), ("$s", g.LastAppliedSeq), ("$state", g.State));
                    state.ExecuteNonQuery();
                }
            }
            InsertDecisions(c, tx, flush.Decisions);
            InsertReviewItems(c, tx, flush.ReviewItems);
            foreach (var d in flush.DeadLetters)
            {
                Execute(c, tx, "INSERT OR IGNORE INTO dead_letters (partition, seq, grain, error, at) VALUES ($p, $s, $g, $e, $now)",
                    ("$p", d.Partition.Value), ("$s", d.Seq), ("$g", d.Target.ToString()), ("$e", d.Error), ("$now", now));
            }
            AppendInbox(c, tx, flush.Sends);
            return Execute(c, tx, """
                INSERT INTO checkpoint (partition, seq) VALUES ($p, $s)
                ON CONFLICT (partition) DO UPDATE SET seq = excluded.seq
                """, ("$p", lease.Partition.Value), ("$s", flush.Checkpoint));
        }, cancellationToken);
        _checkpoints[flush.Lease.Partition.Value] = flush.Checkpoint;
    }

    public Task<IReadOnlyCollection<PartitionId>> AppendAsync(IReadOnlyList<InboxMessage> messages, CancellationToken cancellationToken) =>
        WriteAsync((c, tx) => AppendInbox(c, tx, messages), cancellationToken);

    public event Action<PartitionId, IReadOnlyList<InboxEnvelope>>? Appended;

    /// <summary>The embedded store is written by this process only, so its heads are complete.</summary>
    public long? KnownHead(PartitionId partition) => _heads.GetValueOrDefault(partition.Value);

    public IReadOnlyDictionary<int, (long Head, long Checkpoint)> ReadPositions()
    {
        var result = new Dictionary<int, (long, long)>();
        foreach (var (p, head) in _heads)
        {
            result[p] = (head, _checkpoints.GetValueOrDefault(p));
        }
        return result;
    }

    /// <summary>
    /// Gives each message the next sequence of its partition, taken inside this transaction, in ascending partition
    /// order. (A database sequence would hand out numbers before commit, so a reader could checkpoint past a row that
    /// commits later; allocating under the transaction cannot.)
    /// </summary>
    private IReadOnlyCollection<PartitionId> AppendInbox(SqliteConnection c, SqliteTransaction tx, IReadOnlyList<InboxMessage> messages)
    {
        if (messages.Count == 0)
        {
            return [];
        }
        var byPartition = new SortedDictionary<int, List<InboxMessage>>();
        foreach (var m in messages)
        {
            var p = _map.Of(m.Target).Value;
            if (!byPartition.TryGetValue(p, out var list))
            {
                byPartition[p] = list = [];
            }
            list.Add(m);
        }
        var now = Now();
        var enqueuedAt = FromUnixMs(now);
        var appended = new List<(int Partition, long Last, List<InboxEnvelope> Envelopes)>(byPartition.Count);
        using var insert = Command(c, tx, """
            INSERT INTO inbox (partition, seq, grain_type, grain_key, kind, payload, enqueued_at) VALUES ($p, $s, $t, $k, $kind, $payload, $now)
            """, ("$p", 0), ("$s", 0L), ("$t", ""), ("$k", ""), ("$kind", ""), ("$payload", ""), ("$now", now));
        foreach (var (p, list) in byPartition)
        {
            var last = AllocateSeq(c, tx, p, list.Count);
            var seq = last - list.Count;
            var envelopes = new List<InboxEnvelope>(list.Count);
            foreach (var m in list)
            {
                Set(insert, ("$p", p), ("$s", ++seq), ("$t", m.Target.Type), ("$k", m.Target.Key), ("$kind", m.Kind), ("$payload", m.Payload));
                insert.ExecuteNonQuery();
                envelopes.Add(new InboxEnvelope(new PartitionId(p), seq, m, enqueuedAt));
            }
            appended.Add((p, last, envelopes));
        }
        AfterCommit(tx, () =>
        {
            foreach (var (p, last, envelopes) in appended)
            {
                _heads.AddOrUpdate(p, last, (_, old) => Math.Max(old, last));
                Appended?.Invoke(new PartitionId(p), envelopes);
            }
        });
        return byPartition.Keys.Select(p => new PartitionId(p)).ToList();
    }

    /// <summary>
    /// Creates the database file readable by its owner only before SQLite opens it: the file holds post text and
    /// personal data, and SQLite's unix VFS gives the -wal and -shm files the database file's permissions.
    /// </summary>
    private static void CreatePrivateFile(string path)
    {
        if (OperatingSystem.IsWindows() || File.Exists(path))
        {
            return;
        }
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        try
        {
            using (new FileStream(path, options))
            {
            }
        }
        catch (IOException) when (File.Exists(path))
        {
            // Created meanwhile by another opener; its mode is that opener's business.
        }
    }

    private static long AllocateSeq(SqliteConnection c, SqliteTransaction tx, int partition, int count) =>
        Scalar<long>(c, tx, """
            INSERT INTO inbox_seq (partition, last) VALUES ($p, $n)
            ON CONFLICT (partition) DO UPDATE SET last = last + $n
            RETURNING last
            """, ("$p", partition), ("$n", count));

    private void LoadPositions()
    {
        using var c = OpenRead();
        using (var cmd = Command(c, null, "SELECT partition, last FROM inbox_seq"))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                _heads[r.GetInt32(0)] = r.GetInt64(1);
            }
        }
        using (var cmd = Command(c, null, "SELECT partition, seq FROM checkpoint"))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                _checkpoints[r.GetInt32(0)] = r.GetInt64(1);
            }
        }
    }
}
