using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using Cluster.Grains.Decisions;
using Cluster.Grains.Review;
using Cluster.Storage.Sqlite.Facts;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Cluster.Storage.Sqlite;

/// <summary>
/// Grain state in <c>orleans_grain_state</c>, one row per (grain type, grain key, state name), the state as bytes of
/// the configured <see cref="IGrainStorageSerializer"/> (JSON by default) and an integer etag that every write bumps.
/// Writes go through the database's combining writer, so the writes of many grains that arrive together share one
/// transaction (one commit instead of one per grain; the ADO.NET provider's one round trip per write is what held it
/// to about 4k writes/s), each in its own savepoint: a stale etag fails that write alone. Reads use pooled connections.
/// <para>
/// A stale write throws <see cref="InconsistentStateException"/>. Orleans deactivates the activation when that
/// exception escapes a grain call (Orleans.Runtime InsideRuntimeClient.Invoke checks IsSourceActivation), stream
/// deliveries included; a grain that catches it must call DeactivateOnIdle itself, or it would keep serving a state
/// that is no longer the stored one.
/// </para>
/// <para>
/// Facts staged for a grain (<see cref="IStagedFacts"/>: the account grain's decision and review item) are written by
/// its next state write, in the same request, after the ETag-checked state row: one commit for both, and a stale etag
/// or an error stores neither. The stale check coming first is what lets the request go without a savepoint (see
/// <see cref="Writing.CombiningWriter"/>). Staging needs the facts store on the same file (<see cref="SqliteDatabase.Facts"/>).
/// </para>
/// </summary>
internal sealed class SqliteGrainStorage : IGrainStorage, IStagedFacts
{
    private readonly string _name;
    private readonly SqliteDatabase _database;
    private readonly IGrainStorageSerializer _serializer;
    private readonly IActivatorProvider _activators;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<GrainId, PreparedFacts> _staged = new();

    public SqliteGrainStorage(string name, SqliteDatabase database, IGrainStorageSerializer serializer, IActivatorProvider activators,
        TimeProvider time, ILogger<SqliteGrainStorage> logger)
    {
        _name = name;
        _database = database;
        _serializer = serializer;
        _activators = activators;
        _time = time;
        _logger = logger;
        StorageLog.GrainStorageOpened(logger, name, database.Path);
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        using var c = _database.OpenRead();
        using var cmd = SqliteDatabase.Command(c, null,
            "SELECT etag, state FROM orleans_grain_state WHERE grain_type = $t AND grain_key = $k AND state_name = $n");
        Bind(cmd, grainId, stateName);
        using var r = cmd.ExecuteReader();
        if (!r.Read())
        {
            grainState.ETag = null;
            grainState.RecordExists = false;
            grainState.State = _activators.GetActivator<T>().Create();
            return Task.CompletedTask;
        }
        grainState.ETag = FormatEtag(r.GetInt64(0));
        if (r.IsDBNull(1))
        {
            grainState.RecordExists = false;
            grainState.State = _activators.GetActivator<T>().Create();
        }
        else
        {
            grainState.State = _serializer.Deserialize<T>(new BinaryData((byte[])r.GetValue(1)))!;
            grainState.RecordExists = true;
        }
        return Task.CompletedTask;
    }

    public bool TryStage(GrainId grainId, IReadOnlyList<DecisionRecord> decisions, IReadOnlyList<ReviewItemRecord> reviewItems)
    {
        if (_database.Facts is null)
        {
            return false;
        }
        _staged[grainId] = SqliteFactsStore.Prepare(decisions, reviewItems);
        return true;
    }

    public void Discard(GrainId grainId) => _staged.TryRemove(grainId, out _);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        // Taken before the first await: whatever happens to this write, nothing staged outlives it.
        _staged.TryRemove(grainId, out var staged);
        var facts = staged is null ? null : _database.Facts!;
        var bytes = Bytes(_serializer.Serialize(grainState.State));
        var held = ParseEtag(grainState.ETag);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var type = grainId.Type.ToString();
        var key = grainId.Key.ToString();
        List<DecisionRecord>? fresh = null;
        var etag = await _database.Writer.WriteAsync((c, tx) =>
        {
            // The ETag-checked state row first: a stale write throws before it changed anything, so the request needs no
            // savepoint of its own (failsClean). Then the staged facts, in the same transaction: both commit or neither.
            var cmd = _database.Statement(tx, held is null
                ? """
                  INSERT INTO orleans_grain_state (grain_type, grain_key, state_name, etag, state, updated_at) VALUES ($t, $k, $n, 1, $s, $now)
                  ON CONFLICT DO NOTHING RETURNING etag
                  """
                : """
                  UPDATE orleans_grain_state SET etag = etag + 1, state = $s, updated_at = $now
                  WHERE grain_type = $t AND grain_key = $k AND state_name = $n AND etag = $e RETURNING etag
                  """, DeclareWrite);
            var p = cmd.Parameters;
            p[0].Value = type;
            p[1].Value = key;
            p[2].Value = stateName;
            p[3].Value = bytes;
            p[4].Value = now;
            p[5].Value = held ?? 0;
            var stored = cmd.ExecuteScalar() is long e ? e : throw Stale(c, tx, stateName, grainId, grainState.ETag);
            fresh = facts?.InsertFacts((SqliteTransaction)tx, staged!);
            return stored;
        }, failsClean: true);
        grainState.ETag = FormatEtag(etag);
        grainState.RecordExists = true;
        if (fresh is not null)
        {
            facts!.RaiseRecorded(fresh);
        }
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var held = ParseEtag(grainState.ETag);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var etag = await _database.Writer.WriteAsync((c, tx) =>
        {
            if (held is null)
            {
                // Nothing was read: clearing is a no-op unless someone wrote meanwhile.
                return CurrentEtag(c, tx, stateName, grainId) is null ? (long?)null : throw Stale(c, tx, stateName, grainId, null);
            }
            using var cmd = SqliteDatabase.Command(c, tx, """
                UPDATE orleans_grain_state SET etag = etag + 1, state = NULL, updated_at = $now
                WHERE grain_type = $t AND grain_key = $k AND state_name = $n AND etag = $e RETURNING etag
                """);
            Bind(cmd, grainId, stateName);
            cmd.Parameters.AddWithValue("$now", now);
            cmd.Parameters.AddWithValue("$e", held.Value);
            return cmd.ExecuteScalar() is long stored ? stored : throw Stale(c, tx, stateName, grainId, grainState.ETag);
        });
        grainState.ETag = etag is null ? null : FormatEtag(etag.Value);
        grainState.RecordExists = false;
        grainState.State = _activators.GetActivator<T>().Create();
    }

    public static IGrainStorage Create(IServiceProvider services, string name)
    {
        var options = services.GetRequiredService<IOptionsMonitor<SqliteGrainStorageOptions>>().Get(name);
        var serializer = options.GrainStorageSerializer ?? ActivatorUtilities.CreateInstance<SystemTextJsonGrainStorageSerializer>(services);
        return new SqliteGrainStorage(
            name,
            services.GetRequiredService<SqliteDatabases>().Get(options.DatabasePath),
            serializer,
            services.GetRequiredService<IActivatorProvider>(),
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            services.GetRequiredService<ILogger<SqliteGrainStorage>>());
    }

    private InconsistentStateException Stale(DbConnection c, DbTransaction tx, string stateName, GrainId grainId, string? held)
    {
        var current = CurrentEtag(c, tx, stateName, grainId);
        var stored = current is null ? null : FormatEtag(current.Value);
        StorageLog.StaleWrite(_logger, _name, grainId.ToString(), stored, held);
        return new InconsistentStateException($"Grain storage {_name}: state {stateName} of {grainId} was written by another activation.", stored, held);
    }

    private static long? CurrentEtag(DbConnection c, DbTransaction tx, string stateName, GrainId grainId)
    {
        using var cmd = SqliteDatabase.Command(c, tx, "SELECT etag FROM orleans_grain_state WHERE grain_type = $t AND grain_key = $k AND state_name = $n");
        Bind(cmd, grainId, stateName);
        return cmd.ExecuteScalar() as long?;
    }

    private static void Bind(SqliteCommand cmd, GrainId grainId, string stateName)
    {
        cmd.Parameters.AddWithValue("$t", grainId.Type.ToString());
        cmd.Parameters.AddWithValue("$k", grainId.Key.ToString());
        cmd.Parameters.AddWithValue("$n", stateName);
    }

    /// <summary>The serialized state's own array when it is a whole one (JSON: always), else a copy.</summary>
    private static byte[] Bytes(BinaryData data) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(data.ToMemory(), out var segment)
            && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : data.ToArray();

    private static void DeclareWrite(SqliteParameterCollection p)
    {
        p.Add("$t", SqliteType.Text);
        p.Add("$k", SqliteType.Text);
        p.Add("$n", SqliteType.Text);
        p.Add("$s", SqliteType.Blob);
        p.Add("$now", SqliteType.Integer);
        p.Add("$e", SqliteType.Integer);
    }

    private static string FormatEtag(long etag) => etag.ToString(CultureInfo.InvariantCulture);

    private static long? ParseEtag(string? etag) => etag is null ? null : long.Parse(etag, CultureInfo.InvariantCulture);
}
