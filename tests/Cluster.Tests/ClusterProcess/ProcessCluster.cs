using System.Diagnostics;
using System.Globalization;
using Cluster.Tests.Process;
using Npgsql;

namespace Cluster.Tests.ClusterProcess;

/// <summary>
/// Silos as OS processes (<see cref="SiloProcess"/>) in cluster mode on one PostgreSQL database, each with its own
/// data directory, ports and HTTP endpoint, advertising 127.0.0.1, with the one-machine failure detection
/// (Orleans:ProbeTimeout 1 s, Orleans:MissedProbesLimit 2: a killed silo is declared dead in about 2 s), the default
/// lease timings and the starter lexicon only. What the tests read of the cluster's state comes from the database
/// (<see cref="Leases"/>, <see cref="IsDeclaredDead"/>) and from each silo's /metrics.
/// </summary>
public sealed class ProcessCluster(string connectionString, int queues) : IAsyncDisposable
{
    private readonly List<(SiloProcess Silo, string DataDir)> _silos = [];

    public string ConnectionString { get; } = connectionString;

    public int Queues { get; } = queues;

    /// <summary>Starts <paramref name="count"/> silos at once and waits until each is ready.</summary>
    public async Task<SiloProcess[]> StartAsync(int count, params string[] arguments) =>
        await Task.WhenAll(Enumerable.Range(0, count).Select(_ => StartOneAsync(arguments)));

    private async Task<SiloProcess> StartOneAsync(string[] arguments)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "silo-cluster-" + Guid.NewGuid().ToString("N"));
        var silo = await SiloProcess.StartAsync(dataDir, arguments:
        [
            $"--ConnectionStrings:Cluster={ConnectionString}",
            "--Orleans:AdvertisedAddress=127.0.0.1",
            $"--Orleans:Queues={Queues.ToString(CultureInfo.InvariantCulture)}",
            "--Orleans:ProbeTimeout=00:00:01",
            "--Orleans:MissedProbesLimit=2",
            // The starter lexicon only: compiling the 65k-entry default takes seconds of a start on 2 shared cores.
            "--Screening:DefaultLexicon=none",
            .. arguments,
        ]);
        lock (_silos)
        {
            _silos.Add((silo, dataDir));
        }
        return silo;
    }

    /// <summary>
    /// Queues leased now (unexpired, with a holder) by silo port; the owner column holds Orleans' silo address,
    /// "S127.0.0.1:port:generation".
    /// </summary>
    public Dictionary<int, int> Leases()
    {
        using var c = new NpgsqlConnection(ConnectionString);
        c.Open();
        using var cmd = new NpgsqlCommand("SELECT owner, count(*) FROM orleans_lease WHERE token IS NOT NULL AND expires_at > now() GROUP BY owner", c);
        using var r = cmd.ExecuteReader();
        var leases = new Dictionary<int, int>();
        while (r.Read())
        {
            var port = int.Parse(r.GetString(0).Split(':')[1], CultureInfo.InvariantCulture);
            leases[port] = leases.GetValueOrDefault(port) + (int)r.GetInt64(1);
        }
        return leases;
    }

    /// <summary>Whether the membership table has declared the silo on <paramref name="siloPort"/> dead (Orleans' SiloStatus.Dead, 6).</summary>
    public bool IsDeclaredDead(int siloPort)
    {
        using var c = new NpgsqlConnection(ConnectionString);
        c.Open();
        using var cmd = new NpgsqlCommand("SELECT count(*) FROM orleans_membership WHERE port = @port AND status = 6", c);
        cmd.Parameters.AddWithValue("port", siloPort);
        return (long)cmd.ExecuteScalar()! > 0;
    }

    /// <summary>From now until the membership table declares <paramref name="silo"/> dead: start it before the kill or pause.</summary>
    public Task<TimeSpan> UntilDeclaredDeadAsync(SiloProcess silo, TimeSpan limit) =>
        UntilAsync(() => Task.FromResult(IsDeclaredDead(silo.SiloPort)), limit, () => $"silo {silo.SiloPort} is not declared dead");

    /// <summary>The queues each of <paramref name="silos"/> holds, and none held by another silo.</summary>
    public bool Shared(IReadOnlyList<SiloProcess> silos, out Dictionary<int, int> leases)
    {
        leases = Leases();
        var share = Queues / silos.Count;
        var held = leases;
        return leases.Keys.All(port => silos.Any(s => s.SiloPort == port))
            && silos.All(s => held.GetValueOrDefault(s.SiloPort) is var n && (n == share || n == share + 1))
            && leases.Values.Sum() == Queues;
    }

    /// <summary>
    /// Waits until each of <paramref name="silos"/> holds its share of the queues (n / silos, or one more) and no other
    /// silo holds any, in the lease table, and each silo's own figure (<see cref="QueuesOwnedAsync"/>) equals its rows
    /// there; returns how long that took and the leases then.
    /// </summary>
    public async Task<(TimeSpan Took, Dictionary<int, int> Leases)> UntilSharedAsync(IReadOnlyList<SiloProcess> silos, TimeSpan limit)
    {
        var leases = new Dictionary<int, int>();
        var owned = new Dictionary<int, int>();
        var took = await UntilAsync(async () =>
        {
            if (!Shared(silos, out leases))
            {
                return false;
            }
            foreach (var silo in silos)
            {
                owned[silo.SiloPort] = await QueuesOwnedAsync(silo);
            }
            return silos.All(s => owned[s.SiloPort] == leases[s.SiloPort]);
        }, limit, () => $"leases {Describe(leases)}; the silos report {Describe(owned)}");
        return (took, leases);
    }

    /// <summary>The silo's own figure of the queues its pulling agents read (cluster_stream_queues_owned on /metrics).</summary>
    public static async Task<int> QueuesOwnedAsync(SiloProcess silo)
    {
        using var http = new HttpClient { BaseAddress = new Uri(silo.BaseAddress), Timeout = TimeSpan.FromSeconds(30) };
        var line = (await http.GetStringAsync("/metrics")).Split('\n').Single(l => l.StartsWith("cluster_stream_queues_owned ", StringComparison.Ordinal));
        return (int)double.Parse(line["cluster_stream_queues_owned ".Length..], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Checks <paramref name="condition"/> every 100 ms until it holds (returns how long that took) or fails after
    /// <paramref name="limit"/> with <paramref name="describe"/>: the cluster's state is in other processes and the
    /// database, with no event to wait on.
    /// </summary>
    public static async Task<TimeSpan> UntilAsync(Func<Task<bool>> condition, TimeSpan limit, Func<string> describe)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"not within {limit}: {describe()}");
            }
            await Task.Delay(100);
        }
        return clock.Elapsed;
    }

    /// <summary>The last lines of every silo's output, for a failed test's message.</summary>
    public string Outputs() =>
        string.Join("\n", _silos.Select(s => $"--- silo {s.Silo.SiloPort} (http {s.Silo.Port}) ---\n{s.Silo.Output}"));

    public static string Describe(Dictionary<int, int> leases) =>
        string.Join(", ", leases.OrderBy(l => l.Key).Select(l => $"{l.Key}: {l.Value}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var (silo, dataDir) in _silos)
        {
            await silo.DisposeAsync();
            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
        NpgsqlConnection.ClearAllPools();
    }
}
