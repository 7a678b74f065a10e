using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using Cluster.Grains.Decisions;
using Cluster.Grains.Review;
using Cluster.Storage.Postgres.Facts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NpgsqlTypes;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Cluster.Storage.Postgres;

/// <summary>
/// Grain state in <c>orleans_grain_state</c>, the same rows and etag rules as the SQLite storage: one row per (grain
/// type, grain key, state name), the state as bytes of the configured <see cref="IGrainStorageSerializer"/>, an integer
/// etag every write bumps. Writes go through the database's state writer: the writes of many grains that arrive
/// together become one batch of statements (<see cref="PostgresStateWrites"/>) in one transaction and one commit, and a
/// stale etag fails that write alone. Reads use the pool. A stale write throws <see cref="InconsistentStateException"/>, which deactivates the activation when it escapes
/// a grain call.
/// <para>
/// Facts staged for a grain (<see cref="IStagedFacts"/>: the account grain's decision and review item) are written by
/// its next state write, in the same transaction, when the state statement succeeds: one commit for both, and a stale
/// etag stores neither. Staging needs the facts store on the same database (<see cref="PostgresDatabase.Facts"/>).
/// </para>
/// </summary>
internal sealed class PostgresGrainStorage : IGrainStorage, IStagedFacts
{
    private readonly string _name;
    private readonly PostgresDatabase _database;
    private readonly IGrainStorageSerializer _serializer;
    private readonly IActivatorProvider _activators;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PostgresStateWrites _writes;
    private readonly ConcurrentDictionary<GrainId, GrainFacts> _staged = new();

    public PostgresGrainStorage(string name, PostgresDatabase database, IGrainStorageSerializer serializer, IActivatorProvider activators,
        TimeProvider time, ILogger<PostgresGrainStorage> logger)
    {
        _name = name;
        _database = database;
        _serializer = serializer;
        _activators = activators;
        _time = time;
        _logger = logger;
        _writes = database.StateWrites;
        PostgresLog.GrainStorageOpened(logger, name, database.Name);
    }

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var c = await _database.DataSource.OpenConnectionAsync();
        await using var cmd = PostgresDatabase.Command(c, null,
            "SELECT etag, state FROM orleans_grain_state WHERE grain_type = @t AND grain_key = @k AND state_name = @n");
        Bind(cmd, grainId, stateName);
        await using var r = await cmd.ExecuteReaderAsync();
        if (!await r.ReadAsync())
        {
            grainState.ETag = null;
            grainState.RecordExists = false;
            grainState.State = _activators.GetActivator<T>().Create();
            return;
        }
        grainState.ETag = FormatEtag(r.GetInt64(0));
        if (r.IsDBNull(1))
        {
            grainState.RecordExists = false;
            grainState.State = _activators.GetActivator<T>().Create();
        }
        else
        {
            grainState.State = _serializer.Deserialize<T>(new BinaryData(r.GetFieldValue<byte[]>(1)))!;
            grainState.RecordExists = true;
        }
    }

    public bool TryStage(GrainId grainId, IReadOnlyList<DecisionRecord> decisions, IReadOnlyList<ReviewItemRecord> reviewItems)
    {
        if (_database.Facts is null)
        {
            return false;
        }
        _staged[grainId] = new GrainFacts(decisions, reviewItems);
        return true;
    }

    public void Discard(GrainId grainId) => _staged.TryRemove(grainId, out _);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        // Taken before the first await: whatever happens to this write, nothing staged outlives it.
        _staged.TryRemove(grainId, out var staged);
        var bytes = _serializer.Serialize(grainState.State).ToArray();
        var (etag, stored) = await _writes.WriteAsync(grainId.Type.ToString()!, grainId.Key.ToString()!, stateName, ParseEtag(grainState.ETag), bytes,
            _time.GetUtcNow(), staged);
        if (etag is null)
        {
            throw Stale(stateName, grainId, stored, grainState.ETag);
        }
        grainState.ETag = FormatEtag(etag.Value);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var held = ParseEtag(grainState.ETag);
        var now = _time.GetUtcNow();
        var etag = await _database.StateWriter.WriteAsync((c, tx) =>
        {
            if (held is null)
            {
                // Nothing was read: clearing is a no-op unless someone wrote meanwhile.
                return CurrentEtag(c, tx, stateName, grainId) is null ? (long?)null : throw Stale(c, tx, stateName, grainId, null);
            }
            using var cmd = PostgresDatabase.Command(c, tx, """
                UPDATE orleans_grain_state SET etag = etag + 1, state = NULL, updated_at = @now
                WHERE grain_type = @t AND grain_key = @k AND state_name = @n AND etag = @e RETURNING etag
                """);
            Bind(cmd, grainId, stateName);
            cmd.Parameters.AddWithValue("now", now);
            cmd.Parameters.AddWithValue("e", held.Value);
            return cmd.ExecuteScalar() is long stored ? stored : throw Stale(c, tx, stateName, grainId, grainState.ETag);
        });
        grainState.ETag = etag is null ? null : FormatEtag(etag.Value);
        grainState.RecordExists = false;
        grainState.State = _activators.GetActivator<T>().Create();
    }

    public static IGrainStorage Create(IServiceProvider services, string name)
    {
        var options = services.GetRequiredService<IOptionsMonitor<PostgresGrainStorageOptions>>().Get(name);
        var serializer = options.GrainStorageSerializer ?? ActivatorUtilities.CreateInstance<SystemTextJsonGrainStorageSerializer>(services);
        return new PostgresGrainStorage(
            name,
            services.GetRequiredService<PostgresDatabases>().Get(options.ConnectionString),
            serializer,
            services.GetRequiredService<IActivatorProvider>(),
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            services.GetRequiredService<ILogger<PostgresGrainStorage>>());
    }

    private InconsistentStateException Stale(DbConnection c, DbTransaction tx, string stateName, GrainId grainId, string? held) =>
        Stale(stateName, grainId, CurrentEtag(c, tx, stateName, grainId), held);

    private InconsistentStateException Stale(string stateName, GrainId grainId, long? current, string? held)
    {
        var stored = current is null ? null : FormatEtag(current.Value);
        PostgresLog.StaleWrite(_logger, _name, grainId.ToString(), stored, held);
        return new InconsistentStateException($"Grain storage {_name}: state {stateName} of {grainId} was written by another activation.", stored, held);
    }

    private static long? CurrentEtag(DbConnection c, DbTransaction tx, string stateName, GrainId grainId)
    {
        using var cmd = PostgresDatabase.Command(c, tx, "SELECT etag FROM orleans_grain_state WHERE grain_type = @t AND grain_key = @k AND state_name = @n");
        Bind(cmd, grainId, stateName);
        return cmd.ExecuteScalar() as long?;
    }

    private static void Bind(Npgsql.NpgsqlCommand cmd, GrainId grainId, string stateName)
    {
        cmd.Parameters.AddWithValue("t", grainId.Type.ToString()!);
        cmd.Parameters.AddWithValue("k", grainId.Key.ToString()!);
        cmd.Parameters.AddWithValue("n", stateName);
    }

    private static string FormatEtag(long etag) => etag.ToString(CultureInfo.InvariantCulture);

    private static long? ParseEtag(string? etag) => etag is null ? null : long.Parse(etag, CultureInfo.InvariantCulture);
}
