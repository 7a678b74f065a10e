using System.Collections.Concurrent;
using System.Globalization;
using Cluster.Storage.Streams;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Cluster.Storage.Postgres;

/// <summary>
/// One LISTEN connection per silo and database for the stream queues: every append transaction sends
/// <c>pg_notify(<see cref="Channel"/>, 'provider|q,q,…')</c> with the queues it wrote (delivered at its commit, never for a
/// rollback, to every listening connection of the cluster), and this marks those queues in the provider's
/// <see cref="QueueWakeups"/>, so the receivers read only queues that have something. While the connection is down the
/// wake-ups say "read" for every poll (the behaviour without notifications); a new connection marks every queue once.
/// </summary>
internal sealed class PostgresQueueListener : IDisposable
{
    public const string Channel = "cluster_queue";

    /// <summary>A quiet connection is checked this often, so a dead one stops suppressing reads soon.</summary>
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);

    private readonly PostgresDatabase _database;
    private readonly ConcurrentDictionary<string, QueueWakeups> _providers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private Task? _loop;

    public PostgresQueueListener(PostgresDatabase database, TimeProvider time, ILogger logger)
    {
        _database = database;
        _time = time;
        _logger = logger;
    }

    /// <summary>The wake-ups of one provider (created on first use), and the listening loop started if it was not.</summary>
    public QueueWakeups For(string provider, int queues, TimeSpan fallback)
    {
        var wakeups = _providers.GetOrAdd(provider, _ => new QueueWakeups(queues, fallback, _time));
        lock (_providers)
        {
            _loop ??= Task.Run(() => RunAsync(_stop.Token));
        }
        return wakeups;
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _loop?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
    }

    /// <summary>The payload an append sends: the provider and its queues, e.g. <c>posts|3,17,90</c>.</summary>
    public static string Payload(string provider, IEnumerable<int> queues) =>
        provider + "|" + string.Join(',', queues.Select(q => q.ToString(CultureInfo.InvariantCulture)));

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                SetListening(false);
                PostgresLog.QueueListenerFailed(_logger, ex, _database.Name);
                try
                {
                    await Task.Delay(Retry, _time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        await using var c = await _database.DataSource.OpenConnectionAsync(stoppingToken);
        c.Notification += (_, e) => Wake(e.Payload);
        await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", c))
        {
            await listen.ExecuteNonQueryAsync(stoppingToken);
        }
        SetListening(true);
        PostgresLog.QueueListening(_logger, _database.Name);
        try
        {
            while (true)
            {
                if (!await c.WaitAsync(Idle, stoppingToken))
                {
                    await using var ping = new NpgsqlCommand("SELECT 1", c);
                    await ping.ExecuteScalarAsync(stoppingToken);
                }
            }
        }
        finally
        {
            SetListening(false);
        }
    }

    private void SetListening(bool listening)
    {
        foreach (var wakeups in _providers.Values)
        {
            wakeups.SetListening(listening);
        }
    }

    private void Wake(string payload)
    {
        var bar = payload.IndexOf('|', StringComparison.Ordinal);
        if (bar <= 0 || !_providers.TryGetValue(payload[..bar], out var wakeups))
        {
            return;
        }
        foreach (var part in payload.AsSpan(bar + 1).Split(','))
        {
            if (int.TryParse(payload.AsSpan(bar + 1)[part], NumberStyles.None, CultureInfo.InvariantCulture, out var queue))
            {
                wakeups.Wake(queue);
            }
        }
    }
}
