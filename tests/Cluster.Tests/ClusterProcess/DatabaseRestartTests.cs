using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Cluster.Storage.Tests.Postgres;
using Cluster.Tests.Http;
using Cluster.Tests.Process;
using Npgsql;
using Xunit.Abstractions;

namespace Cluster.Tests.ClusterProcess;

/// <summary>
/// PostgreSQL stopped under load (pg_ctl stop -m fast: sessions terminated, a clean shutdown; -m immediate: no
/// checkpoint, crash recovery at the next start) and started again on the same port, under two silo processes
/// with posts streaming through both. While it is down ingest answers 503 (the commit failed, nothing acknowledged)
/// or 429, always a problem body, never a 500 and never past the client's timeout; /readyz turns 503. The silos stay
/// up, and once the database is back everything acknowledged with 202, before or around the outage, is decided once.
/// Its own server: the restart would cut every other test's connections.
/// </summary>
public sealed class DatabaseRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Queues = 16;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(8);
    private readonly PostgresServer _server = new();
    private ProcessCluster _cluster = null!;

    public Task InitializeAsync()
    {
        _cluster = new ProcessCluster(_server.CreateDatabase(), Queues);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        output.WriteLine(_cluster.Outputs());
        await _cluster.DisposeAsync();
        _server.Dispose();
    }

    [Theory]
    [InlineData("fast")]
    [InlineData("immediate")]
    public async Task While_PostgreSQL_restarts_ingest_answers_503_or_429_readyz_turns_503_and_every_acknowledged_post_is_decided_once(string mode)
    {
        var silos = await _cluster.StartAsync(2);
        await _cluster.UntilSharedAsync(silos, Limit);
        var key = await silos[0].Client(SiloProcess.AdminToken).CreatePlatformAsync("restart");
        var load = new PostLoad(TimeSpan.FromMilliseconds(100));
        for (var i = 0; i < silos.Length; i++)
        {
            load.Add(Client(silos[i], key), $"s{i}");
        }
        await load.MoreAcknowledgedAsync(400, Limit);

        using var readiness = new Readiness(silos);
        var clock = Stopwatch.StartNew();
        _server.Stop(mode);
        var stopped = clock.Elapsed;
        var unready = await ProcessCluster.UntilAsync(() => Task.FromResult(readiness.All(HttpStatusCode.ServiceUnavailable)), Limit, readiness.Describe);
        var refusedBefore = load.Refused.Count;
        if (clock.Elapsed < Outage)
        {
            await Task.Delay(Outage - clock.Elapsed);
        }
        var refusedWhileDown = load.Refused.Count - refusedBefore;
        clock.Restart();
        _server.Start();
        var started = clock.Elapsed;
        NpgsqlConnection.ClearAllPools(); // this process's pooled connections died with the server
        var ready = await ProcessCluster.UntilAsync(() => Task.FromResult(readiness.All(HttpStatusCode.OK)), Limit, readiness.Describe);
        await load.MoreAcknowledgedAsync(1, Limit);
        var accepting = clock.Elapsed;
        await load.MoreAcknowledgedAsync(400, Limit);
        await load.StopAsync();
        output.WriteLine($"pg_ctl stop -m {mode} took {stopped.TotalSeconds:F1} s; /readyz 503 on both silos {unready.TotalSeconds:F1} s after " +
            $"it began; {refusedWhileDown} requests refused while it was down; start took {started.TotalSeconds:F1} s, /readyz 200 on both " +
            $"{ready.TotalSeconds:F1} s and a post acknowledged again {accepting.TotalSeconds:F1} s after it began; slowest request {load.Slowest.TotalSeconds:F1} s");
        output.WriteLine(load.Summary());

        Assert.All(silos, s => Assert.False(s.Exited.IsCompleted, $"silo {s.SiloPort} exited with {(s.Exited.IsCompleted ? s.ExitCode : 0)}"));
        Assert.True(refusedWhileDown > 0, "no request was refused while the database was down");
        Assert.All(load.Refused, a =>
        {
            Assert.True(a.Status is 503 or 429, $"{a.Writer} {a.Status} after {a.Took.TotalSeconds:F1} s: {a.Body}");
            Assert.Equal("application/problem+json", a.MediaType);
            Assert.NotNull(a.RetryAfter);
        });
        Assert.True(load.Slowest < ClientTimeout, $"a request took {load.Slowest}");
        await ExactlyOnce.AssertAsync(_cluster.ConnectionString, "restart", load, Client(silos[0], key), Limit);
    }

    private static HttpClient Client(SiloProcess silo, string token)
    {
        var client = silo.Client(token);
        client.Timeout = ClientTimeout;
        return client;
    }

    /// <summary>Each silo's /readyz answer, asked every 100 ms.</summary>
    private sealed class Readiness : IDisposable
    {
        private readonly ConcurrentDictionary<int, HttpStatusCode> _last = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _polling;
        private readonly int _silos;

        public Readiness(IReadOnlyList<SiloProcess> silos)
        {
            _silos = silos.Count;
            _polling = Task.WhenAll(silos.Select(s => Task.Run(() => PollAsync(s, _stop.Token))));
        }

        public bool All(HttpStatusCode status) => _last.Count == _silos && _last.Values.All(s => s == status);

        public string Describe() => string.Join(", ", _last.Select(kv => $"{kv.Key}: {(int)kv.Value}"));

        public void Dispose()
        {
            _stop.Cancel();
            _polling.Wait();
        }

        private async Task PollAsync(SiloProcess silo, CancellationToken stop)
        {
            using var http = new HttpClient { BaseAddress = new Uri(silo.BaseAddress), Timeout = TimeSpan.FromSeconds(10) };
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await http.GetAsync("/readyz", stop);
                    _last[silo.SiloPort] = response.StatusCode;
                    await Task.Delay(100, stop);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    _last[silo.SiloPort] = 0; // no answer
                }
            }
        }
    }
}
